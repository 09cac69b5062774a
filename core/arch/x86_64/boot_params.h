// SPDX-License-Identifier: Apache-2.0
// The "zero page" a Linux x86 kernel is entered with (struct boot_params;
// Documentation/arch/x86/zero-page.rst, boot.rst "64-bit Boot Protocol"): the bzImage's setup
// header with the loader's fields filled in, the command line and initrd locations, the e820
// memory map and the ACPI RSDP address. Pure: writes into a caller's 4 KiB buffer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "core/arch/x86_64/pc_memory_map.h"
#include "core/base/result.h"

namespace tandem::x86 {

inline constexpr size_t kBootParamsSize = 4096;

// boot_params offsets (zero-page.rst).
inline constexpr size_t kAcpiRsdpAddr = 0x070;
inline constexpr size_t kExtRamdiskImage = 0x0c0;
inline constexpr size_t kExtRamdiskSize = 0x0c4;
inline constexpr size_t kExtCmdLinePtr = 0x0c8;
inline constexpr size_t kE820Entries = 0x1e8;
inline constexpr size_t kE820Table = 0x2d0;
inline constexpr size_t kE820EntrySize = 20;  // u64 addr, u64 size, u32 type
inline constexpr size_t kE820MaxEntries = 128;
inline constexpr uint8_t kLoaderUndefined = 0xff;  // type_of_loader: "undefined" (boot.rst)

struct BootParamsSetup {
  std::span<const uint8_t> setup_header;   // the bzImage's bytes from 0x1f1 to the header's end
  uint64_t cmd_line = 0;                   // guest-physical, NUL-terminated
  uint64_t ramdisk = 0, ramdisk_size = 0;  // 0, 0: no initrd
  uint64_t acpi_rsdp = 0;
  std::span<const E820Entry> e820;
};

// Zeroes `out`, copies the setup header to 0x1f1 and fills type_of_loader, cmd_line_ptr,
// ramdisk_image/size (with their ext_ upper halves), acpi_rsdp_addr and the e820 table.
// kInvalidArgument when the header would run into the e820 table or there are more than
// kE820MaxEntries ranges.
[[nodiscard]] Result<void> build_boot_params(const BootParamsSetup& setup,
                                             std::span<uint8_t, kBootParamsSize> out);

}  // namespace tandem::x86

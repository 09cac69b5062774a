// SPDX-License-Identifier: Apache-2.0
// Linux x86 bzImage (Documentation/arch/x86/boot.rst, "The Linux/x86 Boot Protocol"): checks
// the real-mode setup header and says where the protected-mode kernel lies in the file and what
// it needs. Pure: every field is read only after the file is known to hold it, so a truncated
// or foreign file gives kBadImage, never a read out of bounds. Tandem enters the kernel at its
// 64-bit entry (boot.rst "64-bit Boot Protocol"), so only kernels that have one are taken.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "core/base/result.h"

namespace tandem::bzimage {

// Setup header fields, as offsets in the file and in boot_params (boot.rst "The Real-Mode
// Kernel Header"; the header starts at 0x1f1).
inline constexpr size_t kHeaderStart = 0x1f1;
inline constexpr size_t kSetupSects = 0x1f1;
inline constexpr size_t kBootFlag = 0x1fe;  // 0xaa55
inline constexpr size_t kJump = 0x200;      // the byte at 0x201 is the header's length - 2
inline constexpr size_t kMagic = 0x202;     // "HdrS"
inline constexpr size_t kVersion = 0x206;
inline constexpr size_t kTypeOfLoader = 0x210;
inline constexpr size_t kLoadflags = 0x211;
inline constexpr size_t kRamdiskImage = 0x218;
inline constexpr size_t kRamdiskSize = 0x21c;
inline constexpr size_t kCmdLinePtr = 0x228;
inline constexpr size_t kInitrdAddrMax = 0x22c;
inline constexpr size_t kKernelAlignment = 0x230;
inline constexpr size_t kRelocatableKernel = 0x234;
inline constexpr size_t kXloadflags = 0x236;
inline constexpr size_t kCmdlineSize = 0x238;
inline constexpr size_t kPrefAddress = 0x258;
inline constexpr size_t kInitSize = 0x260;
inline constexpr size_t kHeaderMinEnd = 0x264;  // through init_size: protocol 2.10 and later

inline constexpr uint32_t kHeaderMagic = 0x53726448;  // "HdrS"
inline constexpr uint16_t kMinVersion = 0x020c;       // 2.12: xloadflags, the 64-bit entry
inline constexpr uint8_t LOADED_HIGH = 1u << 0;       // loadflags: kernel at 0x100000 or above
inline constexpr uint16_t XLF_KERNEL_64 = 1u << 0;    // xloadflags: 64-bit entry at +0x200
inline constexpr uint64_t kEntry64Offset = 0x200;     // from the protected-mode kernel's start

struct Image {
  uint16_t version = 0;
  size_t header_end = 0;     // the setup header is file[kHeaderStart, header_end)
  size_t kernel_offset = 0;  // the protected-mode kernel: (setup_sects + 1) * 512
  size_t kernel_size = 0;    // to the end of the file
  bool relocatable = false;
  uint32_t kernel_alignment = 0;  // a power of two, 4 KiB or more
  uint64_t pref_address = 0;      // where the kernel wants to be loaded (its link address)
  uint32_t init_size = 0;         // bytes the kernel needs from its load address while it boots
  uint32_t cmdline_size = 0;      // longest command line, without the NUL
  uint32_t initrd_addr_max = 0;   // highest address an initrd byte may have
};

// kBadImage: no boot sector signature or "HdrS" magic, a header or kernel cut short, fields
// that contradict each other (alignment not a power of two, init_size smaller than the
// kernel). kUnsupported: protocol older than 2.12 or a kernel without a 64-bit entry or not
// loaded high (a zImage).
[[nodiscard]] Result<Image> parse(std::span<const uint8_t> file);

}  // namespace tandem::bzimage

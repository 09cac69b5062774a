// SPDX-License-Identifier: Apache-2.0
// Puts a guest ELF into guest RAM and computes the state its boot vCPU starts in.
#pragma once

#include <cstdint>
#include <span>

#include "core/base/arch.h"
#include "core/base/result.h"
#include "core/vcpu/boot_state.h"

namespace tandem {

class AddressSpace;

// Where the x86_64 long-mode GDT and identity page tables go: below the 1 MiB a PC guest is
// linked at, in conventional memory nothing else uses before the guest runs.
inline constexpr uint64_t kX86BootTablesGpa = 0x10000;

struct LoadedGuest {
  BootState boot;
  uint64_t image_start = 0;  // lowest guest-physical byte the image occupies
  uint64_t image_end = 0;    // one past the highest
};

// Errors: kBadImage (malformed ELF), kUnsupported (not a 64-bit ELF or not `arch`),
// kOutOfRange (a segment or the entry point lies outside guest RAM), kOverlap (x86: the image
// covers the boot tables).
[[nodiscard]] Result<LoadedGuest> load_guest(Arch arch, AddressSpace& space,
                                             std::span<const uint8_t> elf);

}  // namespace tandem

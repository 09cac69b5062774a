// SPDX-License-Identifier: Apache-2.0
// The state a multiboot v1 image is entered in (Multiboot spec 0.6.96, 3.2 "Machine state"):
// 32-bit protected mode, paging off, CS a flat read/execute segment and DS/ES/FS/GS/SS a flat
// read/write segment (base 0, limit 4 GiB), interrupts off. The GDT those selectors index is
// written into guest RAM so the state is one a real CPU could hold (SDM vol.3 9.9.1, "Switching
// to Protected Mode"); the spec lets the OS assume nothing about it.
//
//   gdt_gpa +0x00  null
//           +0x08  32-bit code: base 0, limit 0xfffff, G=1, D=1, type 0xb (execute/read, accessed)
//           +0x10  data: base 0, limit 0xfffff, G=1, B=1, type 0x3 (read/write, accessed)
#pragma once

#include <cstdint>
#include <span>

#include "core/base/addr.h"
#include "core/base/result.h"
#include "core/vcpu/boot_state.h"

namespace tandem::x86 {

inline constexpr uint64_t kProtectedModeGdtSize = 3 * uint64_t{8};
// SDM vol.3 3.4.5: as long_mode.h's kGdtData, with a 32-bit (D=1, L=0) code segment.
inline constexpr uint64_t kGdtCode32 = 0x00cf9b000000ffffull;

// Writes the GDT into `ram` (guest RAM starting at `ram_gpa`) at `gdt_gpa`, which must be
// 8-byte aligned (kUnaligned; SDM vol.3 3.5.1 recommends it) with kProtectedModeGdtSize bytes
// inside `ram` below 4 GiB (kOutOfRange), and returns the register state. The selectors are
// long_mode.h's kCodeSelector and kDataSelector.
[[nodiscard]] Result<X86LongModeState> build_protected_mode(std::span<uint8_t> ram, Gpa ram_gpa,
                                                            Gpa gdt_gpa);

}  // namespace tandem::x86

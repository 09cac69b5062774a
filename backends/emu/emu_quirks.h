// SPDX-License-Identifier: Apache-2.0
// Unicorn version quirks, chosen at build time from <unicorn/unicorn.h>. Each constant names one
// workaround the backend applies and says which release no longer needs it; README.md beside
// this file lists every workaround with the defect and the test that shows it. The build needs
// 2.1.1 (cmake/TandemUnicorn.cmake; scripts/setup fetches Debian 13's), so every constant below
// is `true` in the builds we run; those no 2.1.x release removes are `true` for every version.
#pragma once

#include <unicorn/unicorn.h>

#include <cstdint>

namespace tandem::emu {

inline constexpr uint32_t kUnicornVersion =
    (UC_API_MAJOR << 16) | (UC_API_MINOR << 8) | UC_API_PATCH;

constexpr bool unicorn_before(uint32_t major, uint32_t minor, uint32_t patch) {
  return kUnicornVersion < ((major << 16) | (minor << 8) | patch);
}

// The PC seen in memory hooks and after an unmapped-access stop is the start of the translation
// block, not the access (UNICORN.md section 2, "Access to an unmapped PA"). Fault messages then
// say "pc near". 2.1.4 restores the state first ("consistent PC guarantee").
inline constexpr bool kImprecisePc = unicorn_before(2, 1, 4);

// aarch64: ESR_EL1/FAR_EL1 are not written on a trap; the syndrome and fault address exist only
// in QEMU's env->exception, read from a saved uc_context at a calibrated offset (section 2,
// "Syndrome registers"). Still so in 2.1.4: cpu_handle_exception is unchanged (source).
inline constexpr bool kArm64SyndromeOnlyInContext = true;

// aarch64: SCR_EL3 and HCR_EL2 are 0 at reset, so HVC is UNDEF and EL1 is treated as AArch32
// by the MMU walk until the host sets SCR_EL3=RW|HCE|NS and HCR_EL2.RW (sections 2 and 6).
// Still so in 2.1.4 (source).
inline constexpr bool kArm64NeedsScrHcrSetup = true;

// riscv64: Unicorn adds 4 to the PC before UC_HOOK_INTR runs, for every exception (section 2,
// "PC when the hook runs"), so the faulting instruction is at pc - 4. Still so in 2.1.4 (source).
inline constexpr bool kRiscvPcAdvancedBeforeTrap = true;

// Known and not worked around: an 8-byte access to a uc_mmio_map region reaches the callbacks as
// two 4-byte accesses, low half first, because Unicorn leaves the region's max_access_size unset
// (unicorn issue #2074, unchanged in 2.1.4). Devices that treat 64-bit registers as two halves
// (PL011, GICv3, virtio-mmio) see what hardware would; the one alternative, memory hooks on
// the MMIO ranges, makes every guest load 2.6x slower (measured), so it is not used.

// 2.0.1 checked guest-virtual addresses against the memory map (no guest paging beyond
// identity maps) and took a slow path on every store; README.md, "Dropped with 2.0.1".
static_assert(!unicorn_before(2, 1, 1),
              "the emu backend needs Unicorn 2.1.1 or newer: run scripts/setup (README.md)");

}  // namespace tandem::emu

// SPDX-License-Identifier: Apache-2.0
// Stage 1 translation for the aarch64 guests that turn their MMU on (highhalf, crossmod_alias):
// 39-bit VAs with a 4 KiB granule, so both TTBR0_EL1 and TTBR1_EL1 walks start at a 512-entry
// level-1 table whose entries map 1 GiB blocks (Arm ARM D8.2, D8.3). The low table maps VA =
// PA; the high one VA = kHigh + PA.
#pragma once

#include <cstdint>

namespace guest::a64 {

inline constexpr std::uint64_t kHigh = 0xffffff8000000000;
inline constexpr std::uint64_t kRamBase = 0x40000000;
inline constexpr unsigned kRamIndex = 1;  // PA 0x40000000 = VA kHigh + 0x40000000: index 1 in both
// VMSAv8-64 level-1 block descriptors (D8.3): bits[1:0] = 01, AttrIndx[4:2] into MAIR_EL1,
// SH[9:8], AF[10], PXN[53], UXN[54].
inline constexpr std::uint64_t kBlock = 1;
inline constexpr std::uint64_t kAttrDevice = 0 << 2;
inline constexpr std::uint64_t kAttrNormal = 1 << 2;
inline constexpr std::uint64_t kInner = 3 << 8;
inline constexpr std::uint64_t kAf = 1 << 10;
inline constexpr std::uint64_t kNoExec = (std::uint64_t{1} << 53) | (std::uint64_t{1} << 54);
inline constexpr std::uint64_t kDeviceBlock = kBlock | kAttrDevice | kAf | kNoExec;
inline constexpr std::uint64_t kRamBlock = kBlock | kAttrNormal | kInner | kAf;
// MAIR_EL1: Attr0 Device-nGnRnE, Attr1 Normal write-back (D17.2.97).
inline constexpr std::uint64_t kMair = 0xff00;
// TCR_EL1 (D17.2.131): T0SZ = T1SZ = 25 (39-bit VAs, walks start at level 1), write-back
// inner-shareable walks, TG0 = 4 KiB, TG1 = 4 KiB (0b10), IPS = 40 bits.
inline constexpr std::uint64_t kTcr = 25 | (1 << 8) | (1 << 10) | (3 << 12) |
                                      (std::uint64_t{25} << 16) | (std::uint64_t{1} << 24) |
                                      (std::uint64_t{1} << 26) | (std::uint64_t{3} << 28) |
                                      (std::uint64_t{2} << 30) | (std::uint64_t{2} << 32);
inline constexpr std::uint64_t kSctlrMmuCaches = (1 << 0) | (1 << 2) | (1 << 12);  // M, C, I

// Turns this CPU's stage 1 on with the given level-1 tables (filled by the caller).
inline void mmu_on(const std::uint64_t* ttbr0, const std::uint64_t* ttbr1) {
  std::uint64_t sctlr;
  asm volatile(
      "msr mair_el1, %1\n msr tcr_el1, %2\n msr ttbr0_el1, %3\n msr ttbr1_el1, %4\n isb\n"
      "tlbi vmalle1\n dsb nsh\n isb\n mrs %0, sctlr_el1\n orr %0, %0, %5\n msr sctlr_el1, %0\n"
      "isb"
      : "=&r"(sctlr)
      : "r"(kMair), "r"(kTcr), "r"(ttbr0), "r"(ttbr1), "r"(kSctlrMmuCaches)
      : "memory");
}

}  // namespace guest::a64

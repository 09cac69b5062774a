// SPDX-License-Identifier: Apache-2.0
// The EL2/EL3 control registers' fields Tandem's backends set or use (Arm ARM DDI 0487). The
// bare-metal image sets HCR_EL2's trap bits for its guests; the emu backend, whose EL1 guest
// runs under an emulated EL3 and EL2, sets SCR_EL3 and HCR_EL2 so IRQs and FIQs route to EL2,
// and raises virtual ones with VI / VF.
//
// HCR_EL2 (D19.2 "HCR_EL2"):
//   31   19   13    7    6     5     4     3     1    0
//  +----+----+----+----+----+-----+-----+-----+------+----+
//  | RW | TSC| TWI| VI | VF | AMO | IMO | FMO | SWIO | VM |
//  +----+----+----+----+----+-----+-----+-----+------+----+
//  and above them API (41) and APK (40), pointer authentication untrapped.
#pragma once

#include <cstdint>

namespace tandem::a64 {

inline constexpr uint64_t HCR_EL2_VM = 1ull << 0;    // stage-2 translation on
inline constexpr uint64_t HCR_EL2_SWIO = 1ull << 1;  // DC ISW acts as DC CISW (set/way)
inline constexpr uint64_t HCR_EL2_FMO = 1ull << 3;   // physical FIQs to EL2, virtual FIQs on
inline constexpr uint64_t HCR_EL2_IMO = 1ull << 4;   // physical IRQs to EL2, virtual IRQs on
inline constexpr uint64_t HCR_EL2_AMO = 1ull << 5;   // SErrors to EL2
inline constexpr uint64_t HCR_EL2_VF = 1ull << 6;    // a virtual FIQ is pending (with FMO)
inline constexpr uint64_t HCR_EL2_VI = 1ull << 7;    // a virtual IRQ is pending (with IMO)
inline constexpr uint64_t HCR_EL2_TWI = 1ull << 13;  // WFI traps: the guest is idle
inline constexpr uint64_t HCR_EL2_TSC = 1ull << 19;  // SMC traps (PSCI by SMC is emulated)
inline constexpr uint64_t HCR_EL2_RW = 1ull << 31;   // EL1 is AArch64
inline constexpr uint64_t HCR_EL2_APK = 1ull << 40;  // pointer authentication keys do not trap
inline constexpr uint64_t HCR_EL2_API = 1ull << 41;  // PAC instructions do not trap

// SCR_EL3 (D19.2 "SCR_EL3"): lower levels non-secure, HVC enabled, EL2 in AArch64.
inline constexpr uint64_t SCR_EL3_NS = 1ull << 0;
inline constexpr uint64_t SCR_EL3_HCE = 1ull << 8;
inline constexpr uint64_t SCR_EL3_RW = 1ull << 10;

// MPIDR_EL1 / VMPIDR_EL2 (D19.2 "MPIDR_EL1"): bit 31 is RES1; Aff0 in bits 7:0.
inline constexpr uint64_t MPIDR_RES1 = 1ull << 31;

}  // namespace tandem::a64

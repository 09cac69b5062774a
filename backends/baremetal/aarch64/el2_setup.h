// SPDX-License-Identifier: Apache-2.0
// The EL2 controls that make EL1 a guest: which traps go to EL2 (HCR_EL2), what stays
// untrapped (CPTR_EL2, CNTHCTL_EL2, HSTR_EL2), the identity the guest reads (VPIDR/VMPIDR)
// and the EL1 state a fresh vCPU starts in.
#pragma once

#include <cstdint>

namespace tandem::baremetal::aarch64 {

// HCR_EL2 (DDI 0487 "HCR_EL2"), the bits Tandem sets:
//   31   19   13    5     4     3     1    0
//  +----+----+----+-----+-----+-----+------+----+
//  | RW | TSC| TWI| AMO | IMO | FMO | SWIO | VM |   all other bits 0 (no TGE, no E2H)
//  +----+----+----+-----+-----+-----+------+----+
inline constexpr uint64_t HCR_EL2_VM = 1ull << 0;    // stage-2 translation on
inline constexpr uint64_t HCR_EL2_SWIO = 1ull << 1;  // DC ISW acts as DC CISW (set/way)
inline constexpr uint64_t HCR_EL2_FMO = 1ull << 3;   // physical FIQs to EL2, virtual FIQs on
inline constexpr uint64_t HCR_EL2_IMO = 1ull << 4;   // physical IRQs to EL2, virtual IRQs on
inline constexpr uint64_t HCR_EL2_AMO = 1ull << 5;   // SErrors to EL2
inline constexpr uint64_t HCR_EL2_TWI = 1ull << 13;  // WFI traps: the guest is idle
inline constexpr uint64_t HCR_EL2_TSC = 1ull << 19;  // SMC traps (PSCI by SMC is emulated)
inline constexpr uint64_t HCR_EL2_RW = 1ull << 31;   // EL1 is AArch64

inline constexpr uint64_t kHcrGuest = HCR_EL2_VM | HCR_EL2_SWIO | HCR_EL2_FMO | HCR_EL2_IMO |
                                      HCR_EL2_AMO | HCR_EL2_TWI | HCR_EL2_TSC | HCR_EL2_RW;
static_assert(kHcrGuest == 0x8008'203bull);

// SPSR_EL2 for the first ERET (DDI 0487 C5.2.19 "SPSR_EL2"): EL1h (M[3:0] = 0b0101) with
// D, A, I and F masked, as a boot loader hands over to a kernel.
inline constexpr uint64_t kSpsrEl1hMasked = 0x3c5;
// SCTLR_EL1 of a CPU out of reset: RES1 bits (29:28, 23:22, 20, 11) set, MMU and caches off.
inline constexpr uint64_t kSctlrEl1Reset = 0x30d0'0800;

// Configures this CPU's EL2 for running guests; stage 2 is activated separately.
void configure_el2();
// The MPIDR (affinity 0 = cpu_id) and MIDR the guest reads, and its EL1 out of reset.
void reset_el1_for_vcpu(unsigned cpu_id);

}  // namespace tandem::baremetal::aarch64

// SPDX-License-Identifier: Apache-2.0
// The EL2 controls that make EL1 a guest: which traps go to EL2 (HCR_EL2), what stays
// untrapped (CPTR_EL2, CNTHCTL_EL2, HSTR_EL2), the identity the guest reads (VPIDR/VMPIDR)
// and the EL1 state a fresh vCPU starts in.
#pragma once

#include <cstdint>

#include "core/arch/aarch64/control_regs.h"

namespace tandem::baremetal::aarch64 {

// HCR_EL2 for a guest (core/arch/aarch64/control_regs.h): stage 2, set/way as clean+invalidate,
// interrupts and SErrors to EL2, WFI and SMC trapped, EL1 in AArch64; all other bits 0 (no
// TGE, no E2H) but API/APK where the CPU has pointer authentication (guest_extensions.h).
inline constexpr uint64_t kHcrGuest = a64::HCR_EL2_VM | a64::HCR_EL2_SWIO | a64::HCR_EL2_FMO |
                                      a64::HCR_EL2_IMO | a64::HCR_EL2_AMO | a64::HCR_EL2_TWI |
                                      a64::HCR_EL2_TSC | a64::HCR_EL2_RW;
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

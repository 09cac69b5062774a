// SPDX-License-Identifier: Apache-2.0
// The CPU's SVE, SME and pointer authentication, given to the guest as the hardware has them.
// The guest reads the CPU's own ID registers (HCR_EL2.TID3 is clear), so what they announce
// must work: EL2 traps none of it. Nothing needs switching, because each physical CPU runs one
// vCPU of one VM and EL2 never touches these registers: the image is built
// -mgeneral-regs-only (no FP/SIMD, SVE or SME instruction) and signs no return address
// (SCTLR_EL2.EnIA/IB/DA/DB are clear, entry.S), so the guest's vectors, ZA and keys stay live in
// the CPU across exits as its other EL1 state does (context.h).
#pragma once

#include <cstdint>

namespace tandem::baremetal::aarch64 {

// CPTR_EL2 (E2H = 0) with TZ (SVE) and TSM (SME) clear where the CPU has them (RES1 where it
// does not), TFP clear: nothing of FP/SIMD, SVE or SME traps.
uint64_t guest_cptr_el2();
// HCR_EL2.API and APK where the CPU has pointer authentication (RES0 where it does not): the
// guest's PAC instructions and key registers do not trap.
uint64_t guest_hcr_pauth();
// After CPTR_EL2 is written: the guest's vector lengths are capped by nothing at EL2
// (ZCR_EL2.LEN, SMCR_EL2.LEN at the maximum), and in streaming mode the guest gets what the CPU
// has (SMCR_EL2.FA64, EZT0).
void configure_guest_vector_lengths();
// A vCPU out of reset has PSTATE.SM and PSTATE.ZA clear: SMSTOP where the CPU has SME (the
// CPU's previous guest may have left streaming mode or ZA on).
void reset_guest_streaming_mode();

}  // namespace tandem::baremetal::aarch64

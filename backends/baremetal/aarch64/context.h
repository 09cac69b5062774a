// SPDX-License-Identifier: Apache-2.0
// The guest state the world switch (world_switch.S) loads before ERET and stores on a trap.
// Only what EL2 itself changes is switched: the general-purpose registers, SP_EL1 and the
// exception return state. The guest's EL1 system registers (SCTLR_EL1, VBAR_EL1, TTBR*, ...)
// its FP/SIMD, SVE and SME registers and its pointer authentication keys stay live in the CPU
// across exits, because the hypervisor never uses EL1, is built with -mgeneral-regs-only and
// signs nothing, and each physical CPU runs one vCPU (guest_extensions.h).
#pragma once

#include <cstddef>
#include <cstdint>

namespace tandem::baremetal::aarch64 {

struct GuestContext {
  uint64_t x[31] = {};  // x0..x30
  uint64_t sp_el1 = 0;
  uint64_t elr = 0;   // ELR_EL2: where ERET resumes the guest
  uint64_t spsr = 0;  // SPSR_EL2: the guest's PSTATE
  // Written on every exit, read by the trap decoder.
  uint64_t esr = 0;
  uint64_t far = 0;
  uint64_t hpfar = 0;
};

// The offsets world_switch.S uses (CTX_* there).
static_assert(offsetof(GuestContext, sp_el1) == 248);
static_assert(offsetof(GuestContext, elr) == 256);
static_assert(offsetof(GuestContext, spsr) == 264);
static_assert(offsetof(GuestContext, esr) == 272);
static_assert(offsetof(GuestContext, far) == 280);
static_assert(offsetof(GuestContext, hpfar) == 288);

// Why the world switch returned: the EL2 vector slot the guest's exception arrived at
// (lower EL using AArch64, DDI 0487 D1.10.2 "Exception vectors").
enum class ExitVector : uint64_t { kSync = 0, kIrq = 1, kFiq = 2, kSError = 3 };

// Enters the guest described by `ctx` and returns at its next exception to EL2, with `ctx`
// updated. Host callee-saved registers are kept on the EL2 stack meanwhile.
extern "C" ExitVector tandem_guest_enter(GuestContext* ctx);

}  // namespace tandem::baremetal::aarch64

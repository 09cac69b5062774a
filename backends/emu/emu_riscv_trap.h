// SPDX-License-Identifier: Apache-2.0
// A riscv64 guest's synchronous exceptions under Unicorn. Unicorn only reports them (every
// exception reaches UC_HOOK_INTR and none is vectored to stvec, UNICORN.md section 2), so the
// backend takes them into the guest's S-mode itself, as the hart would (core/arch/riscv64/
// trap_entry.h): sstatus, scause, sepc, stval written with the engine's privilege at S, then
// the PC set to stvec. What the hook does not get from Unicorn comes from a saved context: the
// privilege the exception came from (the field emu_riscv_mip.h calibrates) and the faulting
// address (QEMU's badaddr; stval is not written), whose offset is calibrated here, once per
// process, by trapping two misaligned `lr.d` in a scratch engine, never assumed.
#pragma once

#include <unicorn/unicorn.h>

#include <cstddef>
#include <cstdint>

#include "core/arch/riscv64/trap_entry.h"
#include "core/base/result.h"

namespace tandem::emu {

// Offset of QEMU's env->badaddr in a saved uc_context; kUnsupported if the calibration did not
// find exactly one candidate.
[[nodiscard]] Result<size_t> riscv_badaddr_offset();

struct RiscvTrapInfo {
  uint64_t priv = 0;     // 0 U, 1 S: where the exception was raised
  uint64_t badaddr = 0;  // the faulting virtual address of a misaligned access or page fault
};

// The trap state of the exception being handled, from one saved context of `uc` (`ctx`).
[[nodiscard]] Result<RiscvTrapInfo> riscv_trap_info(uc_engine* uc, uc_context* ctx);

// Takes exception `cause` at `pc` (tval: what stval gets) from privilege `from` into the
// guest's S-mode: sstatus SPP/SPIE/SIE, scause, sepc, stval, privilege S, PC = stvec's target.
// kUnsupported for a reserved stvec mode, kNotMapped when the guest cannot fetch from the
// vector (it would fault there again at once), kBackend if the engine refused a step.
[[nodiscard]] Result<void> riscv_enter_supervisor(uc_engine* uc, uc_context* ctx,
                                                  riscv64::Priv from, uint64_t pc,
                                                  riscv64::Exception cause, uint64_t tval);

}  // namespace tandem::emu

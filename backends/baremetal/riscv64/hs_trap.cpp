// SPDX-License-Identifier: Apache-2.0
// A trap taken in HS-mode itself (world_switch.S found sscratch == 0): the hypervisor touched
// something it must not, or an interrupt it never enables arrived. Nothing to return to.
#include "backends/baremetal/common/panic.h"
#include "backends/baremetal/riscv64/context.h"
#include "backends/baremetal/riscv64/csr.h"
#include "core/arch/riscv64/guest_trap.h"

extern "C" void hv_hs_trap(const tandem::baremetal::riscv64::TrapFrame* f) {
  using namespace tandem::baremetal::riscv64;
  const bool interrupt = (f->scause & SCAUSE_INTERRUPT) != 0;
  tandem::baremetal::panic(
      "HS-mode trap: %s (scause %#lx) at sepc %#lx, stval %#lx, ra %#lx, sp %#lx",
      interrupt ? "interrupt" : tandem::riscv64::exception_name(f->scause), f->scause, f->sepc,
      f->stval, f->x[1], f->x[2]);
}

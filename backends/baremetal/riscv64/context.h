// SPDX-License-Identifier: Apache-2.0
// The register state world_switch.S moves between the CPU and memory, and its entry points.
#pragma once

#include <cstddef>
#include <cstdint>

#include "backends/baremetal/riscv64/context_layout.h"

namespace tandem::baremetal::riscv64 {

// A trap's register snapshot: the guest's when it traps to HS-mode, the hypervisor's own when
// HS-mode traps (a bug). x[0] is never written, so x[r] is the value of register r for any r.
struct TrapFrame {
  uint64_t x[32];
  uint64_t sepc;
  uint64_t sstatus;
  uint64_t hstatus;
  uint64_t scause;
  uint64_t stval;
  uint64_t htval;
  uint64_t htinst;
  uint64_t pad;
};

// One guest hart: its frame, plus the hypervisor's callee-saved registers while the guest runs.
struct GuestContext {
  TrapFrame guest;
  uint64_t host[CTX_HOST_COUNT];
};

static_assert(offsetof(TrapFrame, x[1]) == CTX_X(1));
static_assert(offsetof(TrapFrame, sepc) == CTX_SEPC);
static_assert(offsetof(TrapFrame, sstatus) == CTX_SSTATUS);
static_assert(offsetof(TrapFrame, hstatus) == CTX_HSTATUS);
static_assert(offsetof(TrapFrame, scause) == CTX_SCAUSE);
static_assert(offsetof(TrapFrame, stval) == CTX_STVAL);
static_assert(offsetof(TrapFrame, htval) == CTX_HTVAL);
static_assert(offsetof(TrapFrame, htinst) == CTX_HTINST);
static_assert(sizeof(TrapFrame) == TRAP_FRAME_SIZE && TRAP_FRAME_SIZE % 16 == 0);
static_assert(offsetof(GuestContext, host) == CTX_HOST(0));

}  // namespace tandem::baremetal::riscv64

extern "C" {
// Runs the guest in `ctx` until it traps to HS-mode (world_switch.S).
void tandem_guest_enter(tandem::baremetal::riscv64::GuestContext* ctx);
// The stvec target.
void hv_trap_entry();
// Reads a guest instruction halfword at `gva` with HLVX.HU; *scause_out = 0 on success, else
// the cause of the fault the read took (guarded_access.S).
uint64_t hv_guest_fetch_u16(uint64_t gva, uint64_t* scause_out);
// Whether this hart implements the H extension (guarded_access.S).
bool hv_has_h_extension();
// Whether HS-mode may access the Sstc timer CSRs (stimecmp, vstimecmp): the hart has Sstc and
// the firmware set menvcfg.STCE (guarded_access.S).
bool hv_has_sstc();
// A trap taken in HS-mode itself: reports it and stops the machine (hs_trap.cpp).
[[noreturn]] void hv_hs_trap(const tandem::baremetal::riscv64::TrapFrame* frame);
}

// SPDX-License-Identifier: Apache-2.0
// Trap dispatch: what a guest trap turns into. The trap is decoded by
// core/arch/riscv64/guest_trap.cpp; device accesses, SBI calls and faults go through the core's
// VmExits::handle(), and the result is written back into the guest's registers here
// (aarch64/vcpu_exit.cpp is the same step).
#include "backends/baremetal/riscv64/csr.h"
#include "backends/baremetal/riscv64/hs_timer.h"
#include "backends/baremetal/riscv64/vcpu.h"
#include "core/base/log.h"
#include "core/mm/address_space.h"
#include "core/vm/vm_exits.h"

namespace tandem::baremetal::riscv64 {
namespace {

constexpr unsigned kRegA0 = 10;
constexpr uint64_t kSbiHsm = 0x48534D;  // SBI spec v2.0, 9 "Hart State Management"

}  // namespace

ExitAction HypVcpu::handle(GuestTrap& trap, VcpuExit& out) {
  VcpuExit& e = trap.exit;
  switch (e.kind) {
    case ExitKind::kMmioRead:
    case ExitKind::kMmioWrite:
    case ExitKind::kHypercall:
    case ExitKind::kFault: {
      if (e.kind == ExitKind::kFault)
        TLOG_DEBUG("riscv64 guest fault: scause=%#lx stval=%#lx htval=%#lx htinst=%#lx sepc=%#lx",
                   m_ctx.guest.scause, m_ctx.guest.stval, m_ctx.guest.htval, m_ctx.guest.htinst,
                   m_ctx.guest.sepc);
      const ExitKind kind = e.kind;
      const uint64_t eid = e.args[7];
      const ExitAction action = m_exits->handle(m_id, e);
      // The guest's a0..a7 still hold the call.
      const uint64_t* a = &m_ctx.guest.x[kRegA0];
      if (kind == ExitKind::kHypercall)
        fence_harts(remote_fence_of(a[7], a[6], a[0], a[1], static_cast<int64_t>(e.args[0])));
      // Other harts see a store's effect, an IPI, a hart_start, or the VM's stop.
      if (kind == ExitKind::kMmioWrite) kick_others(false);
      if (kind == ExitKind::kHypercall) kick_others(eid == kSbiHsm);
      if (action == ExitAction::kReturn) {
        out = e;  // the stop; sepc stays at the instruction that stopped the VM
        return action;
      }
      if (kind == ExitKind::kMmioRead && e.reg != 0) m_ctx.guest.x[e.reg] = e.value;
      if (kind == ExitKind::kHypercall) {
        // SBI (SBI spec v2.0, 3 "Binary Encoding"): sbiret error in a0 and value in a1.
        for (unsigned i = 0; i < e.results && i < 2; ++i) m_ctx.guest.x[kRegA0 + i] = e.args[i];
      }
      break;
    }
    case ExitKind::kHalt:
      m_ctx.guest.sepc += trap.advance;
      if (m_cpus > 1) {
        m_exits->count(ExitKind::kHalt);  // one vCPU alone returns it: the VM counts it
        wait_for_kick();
        m_resync_irqs = true;
        return ExitAction::kResume;
      }
      out = e;  // pc: the WFI, as the other backends report a halt
      return ExitAction::kReturn;
    case ExitKind::kExternalInterrupt:
      m_exits->count(ExitKind::kExternalInterrupt);
      // Another hart's kick (several vCPUs): the next entry re-reads this vCPU's lines.
      m_resync_irqs = true;
      if (e.value == IRQ_S_SOFT) csr_clear<CSR_SIP>(SIE_SSIE);
      // Else HS-mode enables only its timer (hs_timer.h): the VM's next deadline has come.
      if (e.value != IRQ_S_TIMER) return ExitAction::kResume;
      hs_timer_fired();
      out.kind = ExitKind::kTimeout;
      out.pc = m_ctx.guest.sepc;
      return ExitAction::kReturn;
    default: return ExitAction::kResume;
  }
  m_ctx.guest.sepc += trap.advance;
  return ExitAction::kResume;
}

// A guest-page fault on on-demand RAM is the hypervisor's, not the guest's: back the page (its
// 2 MiB block, AddressSpace::populate) and retry the instruction. false for everything else
// (MMIO, no RAM, or out of frames), which the trap decoding turns into an access or a fault.
bool HypVcpu::backed_on_demand(uint64_t gpa) {
  // The frame allocator and the table are shared with the other harts' vCPUs. A new mapping
  // needs no fence on the other harts: a hart that cached the invalid entry faults here too,
  // finds the page backed and fences its own G-stage TLB before the retry.
  VmExits::Guard guard(*m_exits);
  const Region* r = m_as->find(Gpa(gpa));
  if (r == nullptr || r->backing != RamBacking::kOnDemand) return false;
  if (!m_as->populate(Gpa(gpa), 1).ok()) return false;
  hfence_gvma_all();
  return true;
}

}  // namespace tandem::baremetal::riscv64

// SPDX-License-Identifier: Apache-2.0
// The run loop: world switch, trap decoding, and finishing each exit the VM need not see.
#include "backends/baremetal/riscv64/vcpu.h"

#include <atomic>
#include <optional>

#include "backends/baremetal/common/arch.h"
#include "backends/baremetal/common/smp.h"
#include "backends/baremetal/riscv64/csr.h"
#include "backends/baremetal/riscv64/hs_timer.h"
#include "core/base/log.h"
#include "core/mm/address_space.h"
#include "core/vm/vm_exits.h"

namespace tandem::baremetal::riscv64 {
namespace {

constexpr unsigned kRegA0 = 10;
// A safety net only: another hart's kick and the VM's deadline end the wait anyway (sip.SSIP
// stays pending for a WFI that starts after it). Each wake-up ends the guest's WFI: an exit, and
// under QEMU two full TLB flushes (V changes twice), which at 1 ms made the idle hart of a
// 2-hart Linux boot one exit in 20.
constexpr uint64_t kKickWaitNs = 10'000'000;

// An instruction halfword the way the guest fetched it: HLVX.HU through vsatp and hgatp.
Result<uint16_t> fetch_guest_halfword(uint64_t pc) {
  uint64_t cause = 0;
  const uint64_t half = hv_guest_fetch_u16(pc, &cause);
  if (cause != 0) return Error(Status::kGuestFault);
  return static_cast<uint16_t>(half);
}

}  // namespace

HypVcpu::HypVcpu(unsigned id, unsigned cpus, AddressSpace& as, VmExits& exits, uint64_t hgatp,
                 uint64_t hstatus, IrqChip* chip, GuestClock clock, PendingFences& fences)
    : m_id(id),
      m_cpus(cpus),
      m_as(&as),
      m_exits(&exits),
      m_hgatp(hgatp),
      m_hstatus(hstatus),
      m_chip(chip),
      m_clock(clock),
      m_fences(&fences),
      m_sstc(hv_has_sstc()) {}

Result<void> HypVcpu::set_boot_state(const BootState& boot) {
  m_ctx = GuestContext{};
  m_ctx.guest.sepc = boot.pc;
  m_ctx.guest.x[2] = boot.sp;
  m_ctx.guest.x[kRegA0] = boot.args[0];
  m_ctx.guest.x[kRegA0 + 1] = boot.args[1];
  m_ctx.guest.sstatus = SSTATUS_SPP;  // enter VS-mode, not VU-mode
  m_vs = VsCsrs{};
  // FP usable from the start, as OpenSBI leaves mstatus.FS for an S-mode payload. The FP
  // registers are not switched: the hypervisor is built without FP (-mabi=lp64) and a hart
  // runs one vCPU.
  m_vs.vsstatus = SSTATUS_FS_INITIAL;
  return ok();
}

// While the hypervisor runs, the VS CSRs are whatever the last guest left; a vCPU loads its own
// before entering and saves them when run() returns, so vCPUs can take turns on one hart.
// hgatp and its fence only when this hart ran another VM since: the G-stage table of a VM only
// gains mappings while it runs, and the hart that maps fences its own cached walks
// (backed_on_demand), so a vCPU that comes back to its hart has nothing stale to drop.
void HypVcpu::load_guest_csrs() {
  if (csr_read<CSR_HGATP>() != m_hgatp) {
    csr_write<CSR_HGATP>(m_hgatp);
    hfence_gvma_all();
  }
  csr_write<CSR_VSSTATUS>(m_vs.vsstatus);
  csr_write<CSR_VSIE>(m_vs.vsie);
  csr_write<CSR_VSTVEC>(m_vs.vstvec);
  csr_write<CSR_VSSCRATCH>(m_vs.vsscratch);
  csr_write<CSR_VSEPC>(m_vs.vsepc);
  csr_write<CSR_VSCAUSE>(m_vs.vscause);
  csr_write<CSR_VSTVAL>(m_vs.vstval);
  csr_write<CSR_VSATP>(m_vs.vsatp);
  csr_write<CSR_HVIP>(m_vs.hvip);
  if (m_sstc) csr_write<CSR_VSTIMECMP>(m_vs.vstimecmp);
}

void HypVcpu::save_guest_csrs() {
  m_vs.vsstatus = csr_read<CSR_VSSTATUS>();
  m_vs.vsie = csr_read<CSR_VSIE>();
  m_vs.vstvec = csr_read<CSR_VSTVEC>();
  m_vs.vsscratch = csr_read<CSR_VSSCRATCH>();
  m_vs.vsepc = csr_read<CSR_VSEPC>();
  m_vs.vscause = csr_read<CSR_VSCAUSE>();
  m_vs.vstval = csr_read<CSR_VSTVAL>();
  m_vs.vsatp = csr_read<CSR_VSATP>();
  m_vs.hvip = csr_read<CSR_HVIP>();
  if (m_sstc) m_vs.vstimecmp = csr_read<CSR_VSTIMECMP>();
}

// sret (18.6.4) goes to V=hstatus.SPV at privilege sstatus.SPP. SPP comes from the guest's
// last trap (VS- or VU-mode); SPVP follows it for HLV/HLVX; VTW=1 makes WFI trap (18.2.1).
// SIE and SPIE stay 0: Tandem polls and takes no interrupts of its own.
void HypVcpu::prepare_entry() {
  TrapFrame& g = m_ctx.guest;
  uint64_t s = csr_read<CSR_SSTATUS>() & ~(SSTATUS_SIE | SSTATUS_SPIE | SSTATUS_SPP);
  if ((s & SSTATUS_FS) == 0) s |= SSTATUS_FS_INITIAL;
  const bool vs_mode = (g.sstatus & SSTATUS_SPP) != 0;
  g.sstatus = s | (vs_mode ? SSTATUS_SPP : 0);
  g.hstatus = m_hstatus | HSTATUS_SPV | HSTATUS_VTW | (vs_mode ? HSTATUS_SPVP : 0);
}

Result<VcpuExit> HypVcpu::run() {
  if (m_exits->stopped()) return stopped_exit();
  VcpuExit out;
  load_guest_csrs();
  m_resync_irqs = true;  // the VM may have advanced the model's time since the last run
  for (;;) {
    // Another hart's vCPU may have stopped the VM (its kick brought this hart here).
    if (m_exits->stopped()) {
      out = stopped_exit();
      break;
    }
    if (std::atomic_ref<uint32_t>(m_stop_requested).exchange(0) != 0) {
      out.kind = ExitKind::kTimeout;
      out.pc = m_ctx.guest.sepc;
      break;
    }
    prepare_entry();
    sync_irqs();
    enter_guest();
    const TrapFrame& f = m_ctx.guest;
    const std::optional<uint64_t> gpa = guest_page_fault_gpa(f.scause, f.stval, f.htval);
    if (gpa && backed_on_demand(*gpa)) continue;
    GuestTrap trap = decode_guest_trap({f.x, f.sepc, f.scause, f.stval, f.htval, f.htinst},
                                       &fetch_guest_halfword);
    if (handle(trap, out) == ExitAction::kReturn) break;
  }
  save_guest_csrs();
  return out;
}

// One guest run, after the fences other harts' SBI remote fences posted here (remote_fence.h).
void HypVcpu::enter_guest() {
  const uint32_t fences = m_fences->enter(m_id);
  if ((fences & kFenceInstructions) != 0) fence_i();
  if ((fences & kFenceVsTlb) != 0) hfence_vvma_all();
  tandem_guest_enter(&m_ctx);
  m_fences->leave(m_id);
}

// An SBI remote fence the VM accepted: posted to its harts (this one included, which does it
// on its way back in), the others in the guest kicked out, and waited for until each has done
// it or is outside the guest, as OpenSBI returns only once its targets have fenced.
void HypVcpu::fence_harts(const RemoteFence& fence) {
  if (fence.what == 0) return;
  m_fences->post(fence);
  for (unsigned i = 0; i < m_cpus; i++) {
    if (i != m_id && ((fence.harts >> i) & 1) != 0 && !m_fences->settled(i))
      arch::kick_cpu(physical_cpu(i));
  }
  for (unsigned i = 0; i < m_cpus; i++) {
    if (i == m_id || ((fence.harts >> i) & 1) == 0) continue;
    while (!m_fences->settled(i)) asm volatile("" ::: "memory");
  }
}

// When the guest's own timer (Sstc vstimecmp, in its time: GuestClock ticks) fires, in host
// ns; kNoDeadline when it is not armed (Linux parks it at ~0) or there is no Sstc.
uint64_t HypVcpu::guest_timer_ns() const {
  if (!m_sstc) return kNoDeadline;
  const uint64_t ticks = csr_read<CSR_VSTIMECMP>();
  if (ticks >= kNoDeadline / kNsPerTick) return kNoDeadline;
  return m_clock.host_ns(ticks * kNsPerTick);
}

// A WFI that this hart waits out itself (several vCPUs, or the guest's own timer armed): unless
// an interrupt the guest enabled is already pending in hvip, it waits for another hart's kick
// (sip.SSIP), the VM's deadline, the guest's timer or at most kKickWaitNs, and the guest's WFI ends
// (a wake-up without a cause is allowed, privileged spec 3.3.3). Console input that came meanwhile
// goes to the guest's console device, as on a device access.
void HypVcpu::wait_for_kick() {
  if (guest_irq_pending()) return;
  uint64_t until = m_clock.host_now_ns() + kKickWaitNs;
  const uint64_t timer = guest_timer_ns();
  if (timer < until) until = timer;
  if (m_chip != nullptr) {
    VmExits::Guard guard(*m_exits);
    if (m_chip->cpu_lines(m_id) != 0) return;
    const uint64_t next = m_chip->advance(m_clock.now_ns());
    if (next != kNoDeadline && m_clock.host_ns(next) < until) until = m_clock.host_ns(next);
  }
  hs_idle_until(until);
  // Without this, a guest that idles with its own timer armed and makes no device access never
  // gets input: the VM's loop, which takes it in otherwise, is not reached.
  m_exits->take_input();
}

// After an exit that may have given other vCPUs an interrupt (a device line, an SBI IPI) or
// started one (`all`: SBI HSM): kick their harts, so a guest spinning or waiting there sees it.
void HypVcpu::kick_others(bool all) {
  if (m_cpus == 1) return;
  const uint32_t targets = kick_targets(*m_exits, m_chip, m_cpus, m_id, all);
  for (unsigned i = 0; i < m_cpus; i++)
    if ((targets & (1u << i)) != 0) arch::kick_cpu(physical_cpu(i));
}

// The VM's vCPUs run on consecutive physical CPUs (common/run_smp.h; an image's later VMs start
// above the earlier VMs' CPUs), and tp holds this hart's physical CPU index (entry.S).
unsigned HypVcpu::physical_cpu(unsigned vcpu) const {
  uint64_t self;
  asm("mv %0, tp" : "=r"(self));
  return static_cast<unsigned>(self) - m_id + vcpu;
}

VcpuExit HypVcpu::stopped_exit() const { return m_exits->stop_info().as_exit(m_ctx.guest.sepc); }

void HypVcpu::request_stop() { std::atomic_ref<uint32_t>(m_stop_requested).store(1); }

Result<uint64_t> HypVcpu::read_gpr(unsigned n) const {
  if (n >= 32) return Error(Status::kInvalidArgument);
  return m_ctx.guest.x[n];
}

Result<void> HypVcpu::write_gpr(unsigned n, uint64_t value) {
  if (n >= 32) return Error(Status::kInvalidArgument);
  if (n != 0) m_ctx.guest.x[n] = value;
  return ok();
}

}  // namespace tandem::baremetal::riscv64

// SPDX-License-Identifier: Apache-2.0
// The run loop: enter the guest, handle the exit, re-enter until the VM needs the caller.
#include "backends/baremetal/aarch64/vcpu.h"

#include "backends/baremetal/aarch64/el2_setup.h"
#include "backends/baremetal/aarch64/gic_hw.h"
#include "backends/baremetal/aarch64/gic_regs.h"
#include "backends/baremetal/aarch64/sysreg.h"
#include "backends/baremetal/common/smp.h"
#include "core/arch/aarch64/esr.h"
#include "core/vm/vm_exits.h"

namespace tandem::baremetal::aarch64 {
namespace {

constexpr uint64_t kSmpWaitNs = 1'000'000;

}  // namespace

Result<void> HypVcpu::set_boot_state(const BootState& boot) {
  m_ctx = GuestContext{};
  for (unsigned i = 0; i < 4; i++) m_ctx.x[i] = boot.args[i];
  m_ctx.sp_el1 = boot.sp;
  m_ctx.elr = boot.pc;
  m_ctx.spsr = kSpsrEl1hMasked;
  m_started = false;
  return ok();
}

uint64_t HypVcpu::esr_length() const { return tandem::aarch64::esr_insn_len(m_ctx.esr); }

Result<VcpuExit> HypVcpu::run() {
  VcpuExit exit;
  if (m_exits->stopped()) {
    stop_exit(exit);
    return exit;
  }
  if (!m_started) {
    reset_el1_for_vcpu(m_id);
    // The guest image was written with the MMU off (non-cacheable); drop any instruction
    // cache lines older than it before the guest fetches from there.
    asm volatile("ic iallu\n\tdsb ish\n\tisb" : : : "memory");
    m_started = true;
  }
  // The VM's next timer deadline becomes the EL2 physical timer (CNTHP): its PPI ends the
  // guest's run like any physical interrupt, and run() returns kTimeout for the VM to advance.
  if (m_chip != nullptr) {
    VmExits::Guard guard(*m_exits);
    m_deadline = m_chip->advance(m_clock.now_ns());
  } else {
    m_deadline = kNoDeadline;
  }
  if (m_deadline != kNoDeadline) {
    // One tick later than the conversion gives, so the deadline has passed when it fires.
    hyp_timer_set(ns_to_ticks(m_clock.host_ns(m_deadline), counter_hz()) + 1);
  }
  auto result = run_loop();
  if (m_deadline != kNoDeadline) hyp_timer_set(0);
  return result;
}

Result<VcpuExit> HypVcpu::run_loop() {
  VcpuExit exit;
  for (;;) {
    // Another CPU's vCPU may have stopped the VM (its kick brought this CPU here).
    if (m_exits->stopped()) {
      stop_exit(exit);
      return exit;
    }
    if (__atomic_exchange_n(&m_stop_requested, false, __ATOMIC_ACQ_REL) ||
        prepare_entry().deadline) {
      exit = VcpuExit{};
      exit.kind = ExitKind::kTimeout;
      exit.pc = m_ctx.elr;
      return exit;
    }
    const ExitVector vector = tandem_guest_enter(&m_ctx);
    exit = VcpuExit{};
    exit.pc = m_ctx.elr;
    switch (vector) {
      case ExitVector::kSync:
        if (handle_sync(exit) == Action::kReturn) return exit;
        break;
      case ExitVector::kIrq:
      case ExitVector::kFiq:
        // HCR_EL2.IMO/FMO route physical interrupts here: the next prepare_entry() takes them.
        m_exits->count(ExitKind::kExternalInterrupt);
        break;
      case ExitVector::kSError:
        exit.kind = ExitKind::kFault;
        exit.reason = "SError (asynchronous abort) while the guest ran";
        return exit;
    }
  }
}

// A trapped WFI (HCR_EL2.TWI; it traps only when no interrupt is pending for the guest). What
// the model has just got is listed and the guest resumes; if the guest's virtual timer or the
// VM's deadline can end the wait, this CPU waits for it in WFI at EL2 (the physical PPI wakes
// it although EL2 runs with interrupts masked) and the guest resumes, its WFI done. Otherwise
// nothing the vCPU knows of can wake the guest: kHalt, and the VM decides (device input, a
// stop when nothing at all can).
HypVcpu::Action HypVcpu::wait_for_interrupt(VcpuExit& exit) {
  if (m_chip == nullptr) return Action::kReturn;
  const Vgic::Entry entry = prepare_entry();
  if (entry.deadline) {
    exit.kind = ExitKind::kTimeout;
    return Action::kReturn;
  }
  if (entry.listed > 0) return Action::kResume;
  if (!vtimer_armed() && m_deadline == kNoDeadline) {
    if (m_cpus == 1) return Action::kReturn;
    // This physical CPU serves this vCPU only: wait here for another CPU's kick (an SGI,
    // gic_kick) or at most kSmpWaitNs, then let the guest's WFI end (a wake-up without a cause
    // is allowed, DDI 0487 D1.6.2) and look again.
    hyp_wait_until(TANDEM_MRS(cntpct_el0) + ns_to_ticks(kSmpWaitNs, counter_hz()));
    return Action::kResume;
  }
  asm volatile("dsb sy\n\twfi" : : : "memory");
  return Action::kResume;
}

// The delivery works on the shared interrupt model: under the VM's lock with several CPUs.
Vgic::Entry HypVcpu::prepare_entry() {
  VmExits::Guard guard(*m_exits);
  return m_vgic.prepare_entry();
}

// After an exit that may have given another vCPU an interrupt (an SGI, a device line) or
// started it (`all`: PSCI CPU_ON): kick the physical CPUs concerned, so a guest spinning or
// waiting there takes it now. The VM's vCPUs are consecutive physical CPUs from this one's
// MPIDR Aff0 less the vCPU id (an image's later VMs start above the earlier VMs' CPUs).
void HypVcpu::kick_others(bool all) {
  if (m_cpus == 1) return;
  const uint32_t targets = kick_targets(*m_exits, m_chip, m_cpus, m_id, all);
  const auto first = static_cast<unsigned>(TANDEM_MRS(mpidr_el1) & 0xff) - m_id;
  if (targets != 0) gic_kick(targets << first);
}

}  // namespace tandem::baremetal::aarch64

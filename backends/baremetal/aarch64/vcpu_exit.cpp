// SPDX-License-Identifier: Apache-2.0
// Trap dispatch: what a synchronous exit from the guest turns into. The syndrome is decoded by
// the pure decoder (core/arch/aarch64/esr.h); device accesses and PSCI go through the core's
// VmExits, and the result is written back into the guest's registers here.
#include "backends/baremetal/aarch64/gic_regs.h"
#include "backends/baremetal/aarch64/sysreg.h"
#include "backends/baremetal/aarch64/vcpu.h"
#include "core/arch/aarch64/esr.h"
#include "core/mm/address_space.h"
#include "core/vm/vm_exits.h"

namespace tandem::baremetal::aarch64 {

using tandem::aarch64::Ec;
using tandem::aarch64::esr_ec;

HypVcpu::Action HypVcpu::handle_sync(VcpuExit& exit) {
  if (esr_ec(m_ctx.esr) == Ec::kSysReg64) return handle_sysreg(exit);
  exit = tandem::aarch64::decode_trap({m_ctx.esr, m_ctx.far, m_ctx.hpfar, m_ctx.elr}, m_ctx.x);
  switch (exit.kind) {
    case ExitKind::kMmioRead:
    case ExitKind::kMmioWrite:
      if (populate_on_demand(exit)) return Action::kResume;
      return finish_mmio(exit);
    case ExitKind::kHypercall: return finish_hypercall(exit);
    case ExitKind::kHalt:
      // ELR_EL2 points at the trapped WFI (DDI 0487 D1.11.2, preferred return address).
      skip_instruction();
      return wait_for_interrupt(exit);
    case ExitKind::kFault:
      if (populate_on_demand(exit)) return Action::kResume;
      return Action::kReturn;
    default: return Action::kReturn;
  }
}

// A trapped MSR/MRS (EC 0x18). With HCR_EL2.IMO set, the guest's ICC_SGI0R/SGI1R/ASGI1R_EL1
// writes trap (IHI 0069 12.2.21-23): the model latches the SGI in its targets' banks, and the
// next entry lists it. Other registers the VM does not implement read as 0 and ignore writes.
HypVcpu::Action HypVcpu::handle_sysreg(VcpuExit& exit) {
  const SysRegTrap trap = decode_sysreg_trap(tandem::aarch64::esr_iss(m_ctx.esr));
  exit = VcpuExit{};
  exit.kind = trap.read ? ExitKind::kSysRegRead : ExitKind::kSysRegWrite;
  exit.addr = trap.id;
  exit.reg = static_cast<uint8_t>(trap.rt);
  exit.pc = m_ctx.elr;
  if (!trap.read) exit.value = trap.rt == 31 ? 0 : m_ctx.x[trap.rt];
  const Action action = m_exits->handle(m_id, exit);
  if (!trap.read) kick_others(false);
  if (action == Action::kReturn) return action;
  if (trap.read && trap.rt != 31) m_ctx.x[trap.rt] = exit.value;
  skip_instruction();
  return Action::kResume;
}

// A stage-2 translation fault inside on-demand RAM is not an error: back the page and let the
// guest retry the instruction. Adding a mapping needs no TLB invalidation (translation faults
// are not cached), only the table write made visible to the walker.
bool HypVcpu::populate_on_demand(const VcpuExit& exit) {
  const Ec ec = esr_ec(m_ctx.esr);
  if (ec != Ec::kDataAbortLower && ec != Ec::kInstAbortLower) return false;
  if ((m_ctx.esr & 0x3c) != 0x04) return false;  // DFSC/IFSC: translation fault, any level
  // The frame allocator and the table are shared with the other CPUs' vCPUs.
  VmExits::Guard guard(*m_exits);
  const Region* region = m_space->find(Gpa(exit.addr));
  if (region == nullptr || region->kind != RegionKind::kRam ||
      region->backing != RamBacking::kOnDemand) {
    return false;
  }
  if (!m_space->populate(Gpa(exit.addr).align_down(kPageSize4K), kPageSize4K)) return false;
  dsb_ishst();
  return true;
}

HypVcpu::Action HypVcpu::finish_mmio(VcpuExit& exit) {
  const bool store = exit.kind == ExitKind::kMmioWrite;
  const Action action = m_exits->handle(m_id, exit);
  if (store) kick_others(false);  // other CPUs see the store's effect, or the VM's stop
  if (action == Action::kReturn) return action;
  if (!store && exit.reg != 31) m_ctx.x[exit.reg] = exit.value;
  // A data abort's preferred return address is the faulting instruction: step over it.
  skip_instruction();
  return Action::kResume;
}

HypVcpu::Action HypVcpu::finish_hypercall(VcpuExit& exit) {
  const Action action = m_exits->handle(m_id, exit);
  kick_others(true);
  if (action == Action::kReturn) return action;
  for (unsigned i = 0; i < exit.results && i < 2; ++i) m_ctx.x[i] = exit.args[i];
  // HVC returns past itself (ELR_EL2 already points after it); a trapped SMC returns to the
  // SMC instruction (DDI 0487 D1.11.2), so it is stepped over here.
  if (esr_ec(m_ctx.esr) == Ec::kSmc64) skip_instruction();
  return Action::kResume;
}

// The exit that reports a VM stop (power-off, an unknown access, a fault), as the kvm backend
// gives it: kSystemDown with the status, kSystemReset, or kFault with the stop message.
void HypVcpu::stop_exit(VcpuExit& exit) const { exit = m_exits->stop_info().as_exit(m_ctx.elr); }

}  // namespace tandem::baremetal::aarch64

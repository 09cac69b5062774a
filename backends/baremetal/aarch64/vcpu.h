// SPDX-License-Identifier: Apache-2.0
// The aarch64 bare-metal vCPU: one guest EL1 on this physical CPU. run() switches to the
// guest and handles what it can without the VM's run loop (MMIO through the device bus,
// PSCI calls, on-demand RAM, trapped GIC system registers, interrupt delivery through the
// list registers, see vgic.h), like the kvm backend finishes I/O inside KVM_RUN; it returns on
// a stop the exit handling requested, a fault, request_stop(), the VM's next timer deadline
// (kTimeout, from the EL2 physical timer), or a WFI nothing can end (kHalt). A WFI that the
// guest's virtual timer or the deadline can end is waited out here, in WFI at EL2; with more
// than one vCPU (one physical CPU each) every WFI is, since another CPU's kick can end it.
#pragma once

#include <cstdint>

#include "backends/baremetal/aarch64/context.h"
#include "backends/baremetal/aarch64/vgic.h"
#include "core/base/result.h"
#include "core/vcpu/vcpu.h"

namespace tandem {
class AddressSpace;
class VmExits;
}  // namespace tandem

namespace tandem::baremetal::aarch64 {

class HypVcpu {
 public:
  [[nodiscard]] Result<void> set_boot_state(const BootState& boot);
  [[nodiscard]] Result<VcpuExit> run();
  void request_stop() { __atomic_store_n(&m_stop_requested, true, __ATOMIC_RELEASE); }

 private:
  friend class HypMachine;
  HypVcpu(unsigned id, unsigned cpus, AddressSpace& space, VmExits& exits, IrqChip* chip,
          GuestClock clock, unsigned lrs)
      : m_id(id),
        m_cpus(cpus),
        m_space(&space),
        m_exits(&exits),
        m_chip(chip),
        m_clock(clock),
        m_vgic(chip, id, lrs) {}

  using Action = ExitAction;
  Result<VcpuExit> run_loop();
  Action handle_sync(VcpuExit& exit);
  Action handle_sysreg(VcpuExit& exit);
  Action wait_for_interrupt(VcpuExit& exit);
  Action finish_mmio(VcpuExit& exit);
  Action finish_hypercall(VcpuExit& exit);
  bool populate_on_demand(const VcpuExit& exit);
  Vgic::Entry prepare_entry();
  void kick_others(bool all);
  void stop_exit(VcpuExit& exit) const;
  void skip_instruction() { m_ctx.elr += esr_length(); }
  uint64_t esr_length() const;

  unsigned m_id;
  unsigned m_cpus;  // vCPUs in the VM, each on the physical CPU of its id
  AddressSpace* m_space;
  VmExits* m_exits;
  IrqChip* m_chip;
  GuestClock m_clock;
  Vgic m_vgic;
  uint64_t m_deadline = kNoDeadline;  // GuestClock ns, for this run()
  GuestContext m_ctx;
  bool m_started = false;
  bool m_stop_requested = false;
};

static_assert(Vcpu<HypVcpu>);

}  // namespace tandem::baremetal::aarch64

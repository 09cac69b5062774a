// SPDX-License-Identifier: Apache-2.0
// The KVM backend's Machine: the VM fd with one memory slot per RAM region of the address space
// (host pointer of the region, api.rst KVM_SET_USER_MEMORY_REGION). Everything else in the
// address space (MMIO holes, reserved ranges) has no slot, so guest accesses there come back as
// KVM_EXIT_MMIO and go to the device bus. x86_64 guests on x86_64 hosts, entered in long mode,
// or in 32-bit protected mode for multiboot images.
//
// The PC's interrupt hardware is KVM's own (api.rst, KVM_CREATE_IRQCHIP and KVM_CREATE_PIT2):
// a local APIC per vCPU (with its timer, at 0xfee00000), the IOAPIC (0xfec00000), the 8259 pair
// and the 8254 PIT (ports 0x40..0x43), all emulated in the kernel; device interrupt lines reach
// them through irq_controller(). With it, HLT and the wait of a secondary vCPU for INIT/SIPI
// happen inside KVM_RUN, so each vCPU needs a thread of its own (kTraits.thread_per_vcpu).
#pragma once

#include <memory>

#include "backends/kvm/kvm_handles.h"
#include "backends/kvm/kvm_irq_lines.h"
#include "backends/kvm/kvm_system.h"
#include "backends/kvm/kvm_vcpu.h"
#include "core/base/result.h"
#include "core/vcpu/vcpu.h"

namespace tandem {

class KvmMachine {
 public:
  using Vcpu = KvmVcpu;
  // run() blocks in the kernel while the guest halts or a secondary vCPU waits for its SIPI.
  static constexpr MachineTraits kTraits{.thread_per_vcpu = true,
                                         .hardware_timer = false,
                                         .per_cpu_setup = false,
                                         .ram_on_demand = false};

  // Opens /dev/kvm (kUnsupported with the reason logged when KVM cannot be used), creates the
  // VM and its memory slots. The address space's regions must not change afterwards; RAM must
  // be contiguous (kUnsupported for on-demand RAM: a slot needs one host range).
  [[nodiscard]] static Result<KvmMachine> create(const MachineSetup& setup);
  // For `tandem info` and test skips: whether create() can work here, and why not.
  static KvmAvailability availability() { return kvm::KvmSystem::availability(); }

  // vCPU `id` (its APIC ID too). Only vCPU 0 is given a boot state (set_boot_state); the
  // others stay in KVM's reset state, real mode, waiting in KVM_RUN for INIT and a SIPI from
  // the guest (KVM_MP_STATE_UNINITIALIZED), as on a PC.
  [[nodiscard]] Result<KvmVcpu> create_vcpu(unsigned id);

  // The in-kernel irqchip's GSIs (KVM_IRQ_LINE); stable for the machine's lifetime, moves too.
  IrqController* irq_controller() { return m_irq_lines.get(); }

 private:
  KvmMachine(kvm::KvmSystem system, kvm::UniqueFd vm, const MachineSetup& setup);

  kvm::KvmSystem m_system;
  kvm::UniqueFd m_vm;
  std::unique_ptr<kvm::KvmIrqLines> m_irq_lines;  // heap: devices keep its address
  VmExits* m_exits;
  unsigned m_cpu_count;
};

static_assert(Machine<KvmMachine>);

}  // namespace tandem

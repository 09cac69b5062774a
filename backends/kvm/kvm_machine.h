// SPDX-License-Identifier: Apache-2.0
// The KVM backend's Machine: the VM fd with one memory slot per RAM region of the address space
// (host pointer of the region, api.rst KVM_SET_USER_MEMORY_REGION). Everything else in the
// address space (MMIO holes, reserved ranges) has no slot, so guest accesses there come back as
// KVM_EXIT_MMIO and go to the device bus. x86_64 guests on x86_64 hosts, entered in long mode,
// or in 32-bit protected mode for multiboot images.
#pragma once

#include "backends/kvm/kvm_handles.h"
#include "backends/kvm/kvm_system.h"
#include "backends/kvm/kvm_vcpu.h"
#include "core/base/result.h"
#include "core/vcpu/vcpu.h"

namespace tandem {

class KvmMachine {
 public:
  using Vcpu = KvmVcpu;

  // Opens /dev/kvm (kUnsupported with the reason logged when KVM cannot be used), creates the
  // VM and its memory slots. The address space's regions must not change afterwards; RAM must
  // be contiguous (kUnsupported for on-demand RAM: a slot needs one host range).
  [[nodiscard]] static Result<KvmMachine> create(const MachineSetup& setup);
  // For `tandem info` and test skips: whether create() can work here, and why not.
  static KvmAvailability availability() { return kvm::KvmSystem::availability(); }

  [[nodiscard]] Result<KvmVcpu> create_vcpu(unsigned id);

 private:
  KvmMachine(kvm::KvmSystem system, kvm::UniqueFd vm, const MachineSetup& setup);

  kvm::KvmSystem m_system;
  kvm::UniqueFd m_vm;
  VmExits* m_exits;
  unsigned m_cpu_count;
};

static_assert(Machine<KvmMachine>);

}  // namespace tandem

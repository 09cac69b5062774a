// SPDX-License-Identifier: Apache-2.0
// x86 vCPU state through KVM: the CPUID the guest sees (KVM_SET_CPUID2) and the entry state
// (KVM_SET_SREGS, KVM_SET_REGS) from a BootState, in 64-bit long mode or, for multiboot, 32-bit
// protected mode. Both modes come as an X86LongModeState built by core/arch/x86_64/.
#pragma once

#include <linux/kvm.h>

#include <vector>

#include "core/base/result.h"
#include "core/vcpu/boot_state.h"

namespace tandem::kvm {

// The host-supported CPUID with the initial APIC ID set to `cpu_id` (leaf 1 EBX[31:24], leaf
// 0xB EDX; Intel SDM vol.2A, CPUID), as a firmware would report it on that CPU.
[[nodiscard]] Result<void> set_x86_cpuid(int vcpu_fd,
                                         const std::vector<kvm_cpuid_entry2>& supported,
                                         unsigned cpu_id);

[[nodiscard]] Result<void> set_x86_boot_state(int vcpu_fd, const BootState& boot);

}  // namespace tandem::kvm

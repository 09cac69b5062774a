// SPDX-License-Identifier: Apache-2.0
// Decoding one kvm_run exit (api.rst, "The kvm_run structure"). Port I/O and MMIO are finished
// here through VmExits::handle() so the next KVM_RUN completes the guest's instruction;
// everything else becomes a VcpuExit that the VM hands to the same handle().
#pragma once

#include <linux/kvm.h>

#include <cstddef>

#include "core/vcpu/exit.h"

namespace tandem {
class VmExits;
}  // namespace tandem

namespace tandem::kvm {

// kResume: the access is done, KVM_RUN again; kReturn: `out` holds an exit for the VM.
using tandem::ExitAction;

// Where a fault message that names numbers (entry failure reason, suberror) is formatted.
// Owned by the vCPU; `VcpuExit::reason` points into it until the next run().
struct ReasonBuffer {
  char text[160] = {};
};

// `run` is vCPU `cpu`'s mapping of `run_size` bytes (kvm_run plus the PIO data pages). The guest
// PC comes from the synced registers (KVM_SYNC_X86_REGS must be in run.kvm_valid_regs). When a
// device access stops the VM, `out` is the stop (StopInfo::as_exit) and the result kReturn.
ExitAction decode_exit(unsigned cpu, kvm_run& run, size_t run_size, VmExits& exits, VcpuExit& out,
                       ReasonBuffer& reason);

}  // namespace tandem::kvm

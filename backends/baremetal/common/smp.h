// SPDX-License-Identifier: Apache-2.0
// One physical CPU per vCPU. The boot CPU starts the others through the firmware
// (arch::start_cpu: PSCI CPU_ON, SBI HSM hart_start) at the arch's secondary entry, which
// sets a stack of the CPU's own and calls baremetal_secondary_start(index); that runs the
// function the image flow registered (run_smp.h).
#pragma once

#include <cstdint>

namespace tandem {
class IrqChip;
class VmExits;
}  // namespace tandem

namespace tandem::baremetal {

// What a started secondary CPU runs; never returns.
using SecondaryMain = void (*)(unsigned index);
// Set before starting any secondary CPU (the firmware call orders the write before the start).
void set_secondary_main(SecondaryMain fn);

extern "C" [[noreturn]] void baremetal_secondary_start(uint64_t index);

// The physical CPUs to kick after an exit on CPU `self` that may have given another vCPU an
// interrupt (an SGI, an SBI IPI, a device line) or started one (`all`: CPU_ON / hart_start), as
// a bit mask: those whose vCPU now has an interrupt input asserted, or every other one. The
// chip is read under the VM's lock.
uint32_t kick_targets(VmExits& exits, IrqChip* chip, unsigned cpus, unsigned self, bool all);

}  // namespace tandem::baremetal

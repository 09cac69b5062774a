// SPDX-License-Identifier: Apache-2.0
// One physical CPU per vCPU. The boot CPU starts the others through the firmware
// (arch::start_cpu: PSCI CPU_ON, SBI HSM hart_start) at the arch's secondary entry, which
// sets a stack of the CPU's own and calls baremetal_secondary_start(index); that runs the
// function the image flow registered (run_smp.h).
#pragma once

#include <cstdint>

namespace tandem::baremetal {

// What a started secondary CPU runs; never returns.
using SecondaryMain = void (*)(unsigned index);
// Set before starting any secondary CPU (the firmware call orders the write before the start).
void set_secondary_main(SecondaryMain fn);

extern "C" [[noreturn]] void baremetal_secondary_start(uint64_t index);

}  // namespace tandem::baremetal

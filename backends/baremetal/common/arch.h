// SPDX-License-Identifier: Apache-2.0
// What the shared bare-metal code needs from each architecture. backends/baremetal/<arch>/
// defines these (the privileged instructions stay there); common/ only calls them.
#pragma once

#include <cstdint>

#include "backends/baremetal/common/console.h"

namespace tandem::virtio {
class EntropySource;
}  // namespace tandem::virtio

namespace tandem::baremetal::arch {

// Ends the run with `status` as the machine's exit status where the platform can report one
// (QEMU: semihosting SYS_EXIT on aarch64, sifive_test on riscv64), else powers off or parks.
[[noreturn]] void exit_platform(int status);
// Stops this CPU for good (interrupts masked, wait-for-interrupt loop).
[[noreturn]] void park();
// Monotonic time since boot in nanoseconds (generic timer / time CSR).
uint64_t now_ns();
// The console when the DTB names none: the board's usual UART.
UartInfo default_console();
// Where to look for a DTB when firmware passed no pointer (0: nowhere).
uint64_t default_dtb_address();
// The CPU's own random number generator, for a virtio-rng device (`build-image --rng`); null,
// with `why` set to a one-line reason, when this CPU has none the image can use.
virtio::EntropySource* hardware_entropy(const char** why);

// SMP (common/run_smp.h): starts physical CPU `index` (0 = the boot CPU, which runs this) at the
// image's secondary entry, which calls secondary_main(index) on a stack of its own. Returns
// the firmware's error code (0: started; PSCI CPU_ON / SBI HSM hart_start codes otherwise).
int64_t start_cpu(unsigned index);
// Makes physical CPU `index` leave the guest or its wait at EL2/HS soon (an IPI).
void kick_cpu(unsigned index);

}  // namespace tandem::baremetal::arch

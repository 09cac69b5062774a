// SPDX-License-Identifier: Apache-2.0
// What the shared bare-metal code needs from each architecture. backends/baremetal/<arch>/
// defines these (the privileged instructions stay there); common/ only calls them.
#pragma once

#include <cstdint>

#include "backends/baremetal/common/console.h"

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

}  // namespace tandem::baremetal::arch

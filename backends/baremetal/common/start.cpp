// SPDX-License-Identifier: Apache-2.0
// What runs between the arch's entry code (stack set, secondaries parked) and the image's
// main: zero .bss and run the constructors in .init_array, as a C runtime would.
#include <cstddef>
#include <cstdint>

#include "backends/baremetal/common/start.h"

extern "C" {
// Defined by each arch's linker script.
extern uint8_t __bss_start[], __bss_end[];
extern void (*__init_array_start[])();
extern void (*__init_array_end[])();
}

namespace tandem::baremetal {

extern "C" [[noreturn]] void baremetal_start(uint64_t boot_arg) {
  // The stack lives outside .bss (see the linker scripts), so this does not clear our frame.
  __builtin_memset(__bss_start, 0, static_cast<size_t>(__bss_end - __bss_start));
  for (auto** f = __init_array_start; f < __init_array_end; f++) (*f)();
  image_main(boot_arg);
}

}  // namespace tandem::baremetal

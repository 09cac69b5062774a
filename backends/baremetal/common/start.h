// SPDX-License-Identifier: Apache-2.0
// The C++ entry of a bare-metal image. Each arch's entry code (backends/baremetal/<arch>/
// entry.S) calls baremetal_start(boot_arg) on the boot CPU with a stack set and the MMU off;
// it clears .bss, runs .init_array and calls the arch's image_main(boot_arg).
#pragma once

#include <cstdint>

namespace tandem::baremetal {

// boot_arg: what firmware left in the first argument register (aarch64 x0 = DTB address
// under the Linux boot protocol, 0 from QEMU's ELF loader; riscv64 a1 = DTB).
extern "C" [[noreturn]] void baremetal_start(uint64_t boot_arg);
[[noreturn]] void image_main(uint64_t boot_arg);

}  // namespace tandem::baremetal

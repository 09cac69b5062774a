// SPDX-License-Identifier: Apache-2.0
// What a multiboot v1 loader handed over (Multiboot Specification 0.6.96, 3.2): the magic it
// left in EAX and the physical address of the boot information in EBX, as the 32-bit entry in
// multiboot.S saved them. Both stay 0 when Tandem enters `_start` directly in 64-bit mode.
#pragma once

#include <cstdint>

extern "C" {
extern std::uint32_t multiboot_magic;
extern std::uint32_t multiboot_info;
}

namespace guest {

inline constexpr std::uint32_t kMultibootBootloaderMagic = 0x2badb002;

}  // namespace guest

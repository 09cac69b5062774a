// SPDX-License-Identifier: Apache-2.0
// The x86_64 guest board: QEMU's PC (`-M pc`) with isa-debug-exit at port 0xf4.
#pragma once

#include <cstdint>

namespace guest {

inline constexpr char kArchName[] = "x86_64";
inline constexpr std::uint16_t kCom1 = 0x3f8;
inline constexpr std::uint16_t kDebugExitPort = 0xf4;
inline constexpr std::uint16_t kBootTimerPort = 0x440;  // Tandem only; unassigned on QEMU
// Beyond 128 MiB of RAM and below the PCI hole devices, inside the 1 GiB identity map.
inline constexpr std::uintptr_t kUnmappedAddress = 0x30000000;

}  // namespace guest

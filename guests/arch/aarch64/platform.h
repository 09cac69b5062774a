// SPDX-License-Identifier: Apache-2.0
// The aarch64 guest board: QEMU's virt machine (hw/arm/virt.c), which Tandem reproduces.
#pragma once

#include <cstdint>

namespace guest {

inline constexpr char kArchName[] = "aarch64";
inline constexpr std::uintptr_t kRamBase = 0x40000000;
inline constexpr std::uintptr_t kPl011Base = 0x09000000;
inline constexpr std::uintptr_t kBootTimer = 0x090c0000;  // Tandem only; a hole on QEMU
// In the hole between the last virtio-mmio transport (ends 0x0a004000) and the PCIe MMIO
// window (0x10000000); QEMU 7.2 `info mtree` shows nothing there (the platform bus at
// 0x0c000000 is empty), and it is neither RAM nor a device on Tandem.
inline constexpr std::uintptr_t kUnmappedAddress = 0x0b000000;

}  // namespace guest

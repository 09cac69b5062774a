// SPDX-License-Identifier: Apache-2.0
// The riscv64 guest board: QEMU's virt machine (hw/riscv/virt.c), which Tandem reproduces.
#pragma once

#include <cstdint>

namespace guest {

inline constexpr char kArchName[] = "riscv64";
inline constexpr std::uintptr_t kRamBase = 0x80000000;
inline constexpr std::uintptr_t kUartBase = 0x10000000;  // NS16550A, register stride 1
inline constexpr std::uintptr_t kSifiveTestBase = 0x100000;
inline constexpr std::uintptr_t kBootTimer = 0x102000;  // Tandem only; a hole on QEMU
// In the hole between the PCIe PIO window (ends 0x03010000) and the PLIC (0x0c000000); QEMU 7.2
// `info mtree` shows nothing there, and it is neither RAM nor a device on Tandem.
inline constexpr std::uintptr_t kUnmappedAddress = 0x0b000000;

}  // namespace guest

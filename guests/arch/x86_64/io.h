// SPDX-License-Identifier: Apache-2.0
// Port I/O with each operand size (Intel SDM vol.2, IN and OUT). The PC board has no MMIO
// UART, so the x86_64 guests exercise widths through ports; read32() and write32() are the MMIO
// accesses, for the `fault` and `wild` guests.
#pragma once

#include <cstdint>

namespace guest::io {

inline std::uint8_t in8(std::uint16_t port) {
  std::uint8_t v;
  asm volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
  return v;
}
inline std::uint16_t in16(std::uint16_t port) {
  std::uint16_t v;
  asm volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
  return v;
}
inline std::uint32_t in32(std::uint16_t port) {
  std::uint32_t v;
  asm volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
  return v;
}

inline void out8(std::uint16_t port, std::uint8_t v) {
  asm volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}
inline void out16(std::uint16_t port, std::uint16_t v) {
  asm volatile("outw %0, %1" : : "a"(v), "Nd"(port));
}
inline void out32(std::uint16_t port, std::uint32_t v) {
  asm volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}

inline std::uint32_t read32(std::uintptr_t a) {
  std::uint32_t v;
  asm volatile("movl (%1), %0" : "=r"(v) : "r"(a) : "memory");
  return v;
}

inline void write32(std::uintptr_t a, std::uint32_t v) {
  asm volatile("movl %0, (%1)" : : "r"(v), "r"(a) : "memory");
}

}  // namespace guest::io

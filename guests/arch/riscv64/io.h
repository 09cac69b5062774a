// SPDX-License-Identifier: Apache-2.0
// MMIO accessors with the exact load/store each width and signedness needs (RISC-V unprivileged
// spec, 2.6 Load and Store Instructions). A hypervisor decodes these from the trapping
// instruction; the assembler may pick the compressed forms (c.lw, c.ld, ...), which it must
// decode too.
#pragma once

#include <cstdint>

namespace guest::io {

inline std::uint64_t read8(std::uintptr_t a) {
  std::uint64_t v;
  asm volatile("lbu %0, 0(%1)" : "=r"(v) : "r"(a) : "memory");
  return v;
}
inline std::uint64_t read16(std::uintptr_t a) {
  std::uint64_t v;
  asm volatile("lhu %0, 0(%1)" : "=r"(v) : "r"(a) : "memory");
  return v;
}
inline std::uint64_t read32(std::uintptr_t a) {
  std::uint64_t v;
  asm volatile("lwu %0, 0(%1)" : "=r"(v) : "r"(a) : "memory");
  return v;
}
inline std::uint64_t read64(std::uintptr_t a) {
  std::uint64_t v;
  asm volatile("ld %0, 0(%1)" : "=r"(v) : "r"(a) : "memory");
  return v;
}

// lb/lh/lw sign-extend to XLEN (64 bits).
inline std::uint64_t read8_sext(std::uintptr_t a) {
  std::uint64_t v;
  asm volatile("lb %0, 0(%1)" : "=r"(v) : "r"(a) : "memory");
  return v;
}
inline std::uint64_t read16_sext(std::uintptr_t a) {
  std::uint64_t v;
  asm volatile("lh %0, 0(%1)" : "=r"(v) : "r"(a) : "memory");
  return v;
}
inline std::uint64_t read32_sext(std::uintptr_t a) {
  std::uint64_t v;
  asm volatile("lw %0, 0(%1)" : "=r"(v) : "r"(a) : "memory");
  return v;
}

inline void write8(std::uintptr_t a, std::uint64_t v) {
  asm volatile("sb %0, 0(%1)" : : "r"(v), "r"(a) : "memory");
}
inline void write16(std::uintptr_t a, std::uint64_t v) {
  asm volatile("sh %0, 0(%1)" : : "r"(v), "r"(a) : "memory");
}
inline void write32(std::uintptr_t a, std::uint64_t v) {
  asm volatile("sw %0, 0(%1)" : : "r"(v), "r"(a) : "memory");
}
inline void write64(std::uintptr_t a, std::uint64_t v) {
  asm volatile("sd %0, 0(%1)" : : "r"(v), "r"(a) : "memory");
}

}  // namespace guest::io

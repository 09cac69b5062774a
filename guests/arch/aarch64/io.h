// SPDX-License-Identifier: Apache-2.0
// MMIO accessors with the exact instruction each width and signedness needs. Plain
// register-indirect forms only: a hypervisor decodes them from the data abort syndrome
// (ESR_ELx.ISV = 1), which writeback or pair forms would not provide (Arm ARM DDI 0487,
// ESR_ELx, ISS encoding for an exception from a Data Abort).
#pragma once

#include <cstdint>

namespace guest::io {

inline std::uint8_t read8(std::uintptr_t a) {
  std::uint32_t v;
  asm volatile("ldrb %w0, [%1]" : "=r"(v) : "r"(a) : "memory");
  return static_cast<std::uint8_t>(v);
}
inline std::uint16_t read16(std::uintptr_t a) {
  std::uint32_t v;
  asm volatile("ldrh %w0, [%1]" : "=r"(v) : "r"(a) : "memory");
  return static_cast<std::uint16_t>(v);
}
inline std::uint32_t read32(std::uintptr_t a) {
  std::uint32_t v;
  asm volatile("ldr %w0, [%1]" : "=r"(v) : "r"(a) : "memory");
  return v;
}
inline std::uint64_t read64(std::uintptr_t a) {
  std::uint64_t v;
  asm volatile("ldr %x0, [%1]" : "=r"(v) : "r"(a) : "memory");
  return v;
}

// Sign-extending loads into a 32-bit (W) register: the upper 32 bits end up zero (ISS.SF = 0).
inline std::uint32_t read8_sext32(std::uintptr_t a) {
  std::uint32_t v;
  asm volatile("ldrsb %w0, [%1]" : "=r"(v) : "r"(a) : "memory");
  return v;
}
inline std::uint32_t read16_sext32(std::uintptr_t a) {
  std::uint32_t v;
  asm volatile("ldrsh %w0, [%1]" : "=r"(v) : "r"(a) : "memory");
  return v;
}

// Sign-extending loads into a 64-bit (X) register (ISS.SSE = 1, ISS.SF = 1).
inline std::uint64_t read8_sext64(std::uintptr_t a) {
  std::uint64_t v;
  asm volatile("ldrsb %x0, [%1]" : "=r"(v) : "r"(a) : "memory");
  return v;
}
inline std::uint64_t read16_sext64(std::uintptr_t a) {
  std::uint64_t v;
  asm volatile("ldrsh %x0, [%1]" : "=r"(v) : "r"(a) : "memory");
  return v;
}
inline std::uint64_t read32_sext64(std::uintptr_t a) {
  std::uint64_t v;
  asm volatile("ldrsw %x0, [%1]" : "=r"(v) : "r"(a) : "memory");
  return v;
}

inline void write8(std::uintptr_t a, std::uint8_t v) {
  asm volatile("strb %w0, [%1]" : : "r"(v), "r"(a) : "memory");
}
inline void write16(std::uintptr_t a, std::uint16_t v) {
  asm volatile("strh %w0, [%1]" : : "r"(v), "r"(a) : "memory");
}
inline void write32(std::uintptr_t a, std::uint32_t v) {
  asm volatile("str %w0, [%1]" : : "r"(v), "r"(a) : "memory");
}
inline void write64(std::uintptr_t a, std::uint64_t v) {
  asm volatile("str %x0, [%1]" : : "r"(v), "r"(a) : "memory");
}

}  // namespace guest::io

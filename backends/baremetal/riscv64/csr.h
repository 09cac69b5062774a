// SPDX-License-Identifier: Apache-2.0
// The CSR accessors of the HS-mode hypervisor; the numbers and fields are core/arch/riscv64/csr.h.
// CSRs are named by number so the assembler needs no 'h' in -march (GNU as 2.40 and clang 14
// alike).
#pragma once

#include <cstdint>

#include "core/arch/riscv64/csr.h"

namespace tandem::baremetal::riscv64 {

using namespace tandem::riscv64;  // the CSR names and fields

template <unsigned N>
inline uint64_t csr_read() {
  uint64_t v;
  asm volatile("csrr %0, %1" : "=r"(v) : "i"(N));
  return v;
}

template <unsigned N>
inline void csr_write(uint64_t v) {
  asm volatile("csrw %0, %1" : : "i"(N), "rK"(v) : "memory");
}

template <unsigned N>
inline void csr_clear(uint64_t bits) {
  asm volatile("csrc %0, %1" : : "i"(N), "rK"(bits) : "memory");
}

// HFENCE.GVMA zero, zero (18.3.2): drop every cached G-stage translation for every VMID after
// hgatp or a G-stage table changed. Encoded by hand for the same reason as the CSR numbers.
inline void hfence_gvma_all() { asm volatile(".word 0x62000073" : : : "memory"); }

// HFENCE.VVMA zero, zero (18.3.2): drop every cached VS-stage translation of the VMID in hgatp,
// as the guest's own SFENCE.VMA would.
inline void hfence_vvma_all() { asm volatile(".word 0x22000073" : : : "memory"); }

// FENCE.I (Zifencei): this hart's instruction fetch sees the stores before it.
inline void fence_i() { asm volatile(".word 0x0000100f" : : : "memory"); }

}  // namespace tandem::baremetal::riscv64

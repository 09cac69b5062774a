// SPDX-License-Identifier: Apache-2.0
// Atomics for the multi-CPU guests, on the compiler's __atomic builtins. The guest flags make
// them inline instructions: aarch64 (-mno-outline-atomics, Armv8.0 without LSE) load/store
// exclusive loops (LDAXR/STLXR), riscv64 (rv64imac) AMOs and LR/SC. QEMU and Tandem run the
// guests with the MMU off, where the exclusives work on QEMU's and Unicorn's TCG.
#pragma once

#include <cstdint>

namespace guest {

inline std::uint32_t atomic_load(const std::uint32_t* p) {
  return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}
inline void atomic_store(std::uint32_t* p, std::uint32_t v) {
  __atomic_store_n(p, v, __ATOMIC_RELEASE);
}
// Returns the value before the addition.
inline std::uint32_t atomic_fetch_add(std::uint32_t* p, std::uint32_t v) {
  return __atomic_fetch_add(p, v, __ATOMIC_ACQ_REL);
}
inline std::uint64_t atomic_load(const std::uint64_t* p) {
  return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}
inline std::uint64_t atomic_fetch_add(std::uint64_t* p, std::uint64_t v) {
  return __atomic_fetch_add(p, v, __ATOMIC_ACQ_REL);
}

// A hint for spin-wait loops (aarch64 YIELD; riscv64 has no such hint in rv64imac).
inline void cpu_relax() {
#if defined(__aarch64__)
  asm volatile("yield" ::: "memory");
#else
  asm volatile("" ::: "memory");
#endif
}

// Test-and-set spinlock.
class Spinlock {
 public:
  void lock() {
    while (__atomic_exchange_n(&locked_, 1u, __ATOMIC_ACQUIRE) != 0) {
      while (__atomic_load_n(&locked_, __ATOMIC_RELAXED) != 0) cpu_relax();
    }
  }
  void unlock() { __atomic_store_n(&locked_, 0u, __ATOMIC_RELEASE); }

 private:
  std::uint32_t locked_ = 0;
};

// Sense-reversing centralized barrier for `parties` CPUs: the last CPU to arrive resets the
// count and flips the shared sense, the others spin until the sense matches their own. Each
// CPU keeps its own `local_sense` (initially 0) across uses.
class Barrier {
 public:
  void wait(std::uint32_t parties, std::uint32_t& local_sense) {
    local_sense ^= 1u;
    if (atomic_fetch_add(&count_, 1u) == parties - 1) {
      __atomic_store_n(&count_, 0u, __ATOMIC_RELAXED);
      atomic_store(&sense_, local_sense);
    } else {
      while (atomic_load(&sense_) != local_sense) cpu_relax();
    }
  }

 private:
  std::uint32_t count_ = 0;
  std::uint32_t sense_ = 0;
};

}  // namespace guest

// SPDX-License-Identifier: Apache-2.0
// A test-and-set spin lock for the VM's short critical sections (one device access, one
// hypercall) on backends that run vCPUs on several threads or physical CPUs. Freestanding: no
// OS to sleep on. Uncontended it costs one atomic exchange.
#pragma once

#include <atomic>
#include <cstdint>

namespace tandem {

class SpinLock {
 public:
  void lock() {
    while (m_flag.exchange(1, std::memory_order_acquire) != 0) {
      while (m_flag.load(std::memory_order_relaxed) != 0) {
      }
    }
  }
  void unlock() { m_flag.store(0, std::memory_order_release); }

 private:
  std::atomic<uint32_t> m_flag{0};  // 32 bits: riscv64 has no byte-sized AMO
};

class SpinLockGuard {
 public:
  explicit SpinLockGuard(SpinLock& lock) : m_lock(lock) { m_lock.lock(); }
  ~SpinLockGuard() { m_lock.unlock(); }
  SpinLockGuard(const SpinLockGuard&) = delete;
  SpinLockGuard& operator=(const SpinLockGuard&) = delete;

 private:
  SpinLock& m_lock;
};

}  // namespace tandem

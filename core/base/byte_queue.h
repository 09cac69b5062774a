// SPDX-License-Identifier: Apache-2.0
// A single-producer single-consumer byte queue without locks: the host's console reader thread
// pushes what the user types, the thread running the vCPUs pops it into the guest's UART when
// the UART has room (so nothing typed is lost while the guest's FIFO is full).
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>

namespace tandem {

template <size_t N>
class ByteQueue {
  static_assert(N >= 2 && (N & (N - 1)) == 0, "capacity must be a power of two");

 public:
  // Producer side. false when the queue is full (the byte is not stored).
  bool push(uint8_t c) {
    const size_t head = m_head.load(std::memory_order_relaxed);
    if (head - m_tail.load(std::memory_order_acquire) == N) return false;
    m_bytes[head & (N - 1)] = c;
    m_head.store(head + 1, std::memory_order_release);
    return true;
  }

  // Consumer side.
  bool pop(uint8_t& c) {
    const size_t tail = m_tail.load(std::memory_order_relaxed);
    if (tail == m_head.load(std::memory_order_acquire)) return false;
    c = m_bytes[tail & (N - 1)];
    m_tail.store(tail + 1, std::memory_order_release);
    return true;
  }
  bool peek(uint8_t& c) const {
    const size_t tail = m_tail.load(std::memory_order_relaxed);
    if (tail == m_head.load(std::memory_order_acquire)) return false;
    c = m_bytes[tail & (N - 1)];
    return true;
  }

  bool empty() const {
    return m_tail.load(std::memory_order_acquire) == m_head.load(std::memory_order_acquire);
  }

 private:
  std::array<uint8_t, N> m_bytes{};
  std::atomic<size_t> m_head{0};  // written by the producer only
  std::atomic<size_t> m_tail{0};  // written by the consumer only
};

}  // namespace tandem

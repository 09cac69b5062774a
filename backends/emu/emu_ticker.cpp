// SPDX-License-Identifier: Apache-2.0
#include "backends/emu/emu_ticker.h"

#include <chrono>

#include "backends/hosted/host_paging.h"

namespace tandem::emu {

Ticker::~Ticker() {
  {
    std::lock_guard lock(m_mutex);
    m_quit = true;
  }
  m_cv.notify_all();
  if (m_thread.joinable()) m_thread.join();
}

void Ticker::arm(uint64_t deadline_ns) {
  {
    std::lock_guard lock(m_mutex);
    m_deadline = deadline_ns;
    if (!m_thread.joinable()) m_thread = std::thread([this] { loop(); });
  }
  m_cv.notify_all();
}

void Ticker::disarm() {
  std::lock_guard lock(m_mutex);
  m_deadline = ~uint64_t{0};
}

void Ticker::loop() {
  std::unique_lock lock(m_mutex);
  while (!m_quit) {
    if (m_deadline == ~uint64_t{0}) {
      m_cv.wait(lock);
      continue;
    }
    const uint64_t now = hosted::now_ns();
    if (now < m_deadline) {
      m_cv.wait_for(lock, std::chrono::nanoseconds(m_deadline - now));
      continue;
    }
    m_deadline = ~uint64_t{0};
    lock.unlock();
    m_fire();
    lock.lock();
  }
}

}  // namespace tandem::emu

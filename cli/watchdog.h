// SPDX-License-Identifier: Apache-2.0
// `--timeout`: calls `stop` once the time limit passes, unless destroyed first.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace tandem::cli {

class Watchdog {
 public:
  Watchdog(double seconds, std::function<void()> stop) {
    if (seconds <= 0) return;
    m_thread = std::thread([this, seconds, stop = std::move(stop)] {
      std::unique_lock lock(m_mutex);
      if (!m_cv.wait_for(lock, std::chrono::duration<double>(seconds), [this] { return m_done; }))
        stop();
    });
  }
  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;
  ~Watchdog() {
    {
      std::lock_guard lock(m_mutex);
      m_done = true;
    }
    m_cv.notify_all();
    if (m_thread.joinable()) m_thread.join();
  }

 private:
  std::mutex m_mutex;
  std::condition_variable m_cv;
  bool m_done = false;
  std::thread m_thread;
};

}  // namespace tandem::cli

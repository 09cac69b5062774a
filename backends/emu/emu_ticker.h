// SPDX-License-Identifier: Apache-2.0
// Ends a vCPU's time slice from another thread: Unicorn has no timer of its own, and stopping
// an engine with uc_emu_stop from a second thread is the one cheap way to get control back
// (UNICORN.md section 3, "Slices ended by another thread": no measurable cost at 1 ms). The
// thread exists only once a deadline has been armed, and sleeps until the next one.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>

namespace tandem::emu {

class Ticker {
 public:
  // `fire` runs on the ticker's thread when an armed deadline passes.
  explicit Ticker(std::function<void()> fire) : m_fire(std::move(fire)) {}
  Ticker(const Ticker&) = delete;
  Ticker& operator=(const Ticker&) = delete;
  ~Ticker();

  // Fires once at `deadline_ns` (hosted::now_ns() time), replacing any earlier arm.
  void arm(uint64_t deadline_ns);
  void disarm();

 private:
  void loop();

  std::function<void()> m_fire;
  std::mutex m_mutex;
  std::condition_variable m_cv;
  uint64_t m_deadline = ~uint64_t{0};
  bool m_quit = false;
  std::thread m_thread;
};

}  // namespace tandem::emu

// SPDX-License-Identifier: Apache-2.0
// Ends a vCPU's time slice from another thread: Unicorn has no timer of its own (`timeout=` is
// coarse, `count=` doubles the run time). At the deadline the ticker only raises the vCPU's stop
// request (preempt(), emu_cpu.h); the engine's block hook stops it at the next
// translation-block boundary. It never calls uc_emu_stop itself: a stop from another thread
// that lands in the middle of a block replays part of it (backends/emu/README.md,
// "Preemption"). The thread exists only once a deadline has been armed, and sleeps until the
// next one.
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

// SPDX-License-Identifier: Apache-2.0
#include "backends/hosted/host_idle.h"

#include <chrono>
#include <condition_variable>
#include <mutex>

#include "backends/hosted/host_paging.h"
#include "core/irq/irq_chip.h"

namespace tandem::hosted {
namespace {

std::mutex g_mutex;
std::condition_variable g_cv;
bool g_woken = false;

}  // namespace

void idle_until(uint64_t deadline_ns) {
  std::unique_lock lock(g_mutex);
  if (deadline_ns == kNoDeadline) {
    g_cv.wait(lock, [] { return g_woken; });
  } else {
    const uint64_t now = now_ns();
    if (deadline_ns > now)
      g_cv.wait_for(lock, std::chrono::nanoseconds(deadline_ns - now), [] { return g_woken; });
  }
  g_woken = false;
}

void wake() {
  {
    std::lock_guard lock(g_mutex);
    g_woken = true;
  }
  g_cv.notify_all();
}

}  // namespace tandem::hosted

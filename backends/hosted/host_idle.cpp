// SPDX-License-Identifier: Apache-2.0
#include "backends/hosted/host_idle.h"

#include <chrono>
#include <condition_variable>
#include <mutex>

#include "backends/hosted/host_paging.h"
#include "core/irq/irq_chip.h"

namespace tandem::hosted {
namespace {

// Several VMs in one process each idle on their own thread: a wake is counted, and each thread
// remembers the count it last saw, so a wake reaches every waiting thread (a spurious wake only
// costs a VM one more look at its vCPUs) and none is consumed by another VM's thread.
std::mutex g_mutex;
std::condition_variable g_cv;
uint64_t g_wakes = 0;
thread_local uint64_t t_seen = 0;

}  // namespace

void idle_until(uint64_t deadline_ns) {
  std::unique_lock lock(g_mutex);
  const auto woken = [] { return g_wakes != t_seen; };
  if (deadline_ns == kNoDeadline) {
    g_cv.wait(lock, woken);
  } else {
    const uint64_t now = now_ns();
    if (deadline_ns > now) g_cv.wait_for(lock, std::chrono::nanoseconds(deadline_ns - now), woken);
  }
  t_seen = g_wakes;
}

void wake() {
  {
    std::lock_guard lock(g_mutex);
    g_wakes++;
  }
  g_cv.notify_all();
}

}  // namespace tandem::hosted

// SPDX-License-Identifier: Apache-2.0
// The HAL bundle of a bare-metal image (core/hal.h): frames from the image's physical frame
// allocator (the MMU is off, so physical == virtual), the arch's Machine, the arch's clock and
// idle wait. Each arch instantiates it and checks static_assert(Hal<...>).
#pragma once

#include <cstdint>

#include "backends/baremetal/common/arch.h"
#include "backends/baremetal/common/console.h"
#include "backends/baremetal/common/frame_bitmap.h"
#include "core/hal.h"

namespace tandem::baremetal {

static_assert(PagingHandler<FrameBitmap>);

// `WaitUntil(deadline_ns)` sleeps the physical CPU (WFI with the image's own timer armed) until
// the deadline at the latest; with kNoDeadline it may return at once. While the VM idles, the
// real UART's receive side is polled for the guest's console input (run_guest.h attaches the
// VM's queue): the UART's interrupt is not routed to the hypervisor, so input is noticed within
// kInputPollNs while every vCPU is halted (a guest waiting for its UART interrupt in WFI), and
// on the guest's device accesses at most every kAccessPollNs (poll_input(), which the VM calls
// on each: a guest such as U-Boot that spins on its UART's status register; a riscv64 vCPU that
// waits out a WFI itself calls it too, VmExits::take_input).
template <class M, void (*WaitUntil)(uint64_t deadline_ns)>
struct BaremetalHal {
  using PagingHandler = FrameBitmap;
  using Machine = M;
  static constexpr uint64_t kInputPollNs = 1'000'000;
  static constexpr uint64_t kAccessPollNs = 100'000;

  static uint64_t now_ns() { return arch::now_ns(); }

  template <class Queue>
  static void attach_console_input(Queue& queue) {
    static Queue* s_queue = nullptr;
    s_queue = &queue;
    s_poll = [] {
      static int pending = -1;  // read from the UART, not yet taken by a full queue
      for (;;) {
        if (pending < 0) pending = console_getc();
        if (pending < 0 || !s_queue->push(static_cast<uint8_t>(pending))) return;
        pending = -1;
      }
    };
  }

  static void poll_input() {
    if (s_poll == nullptr) return;
    const uint64_t now = now_ns();
    if (now - s_polled_at < kAccessPollNs) return;
    s_polled_at = now;
    s_poll();
  }

  static void idle_until(uint64_t deadline_ns) {
    uint64_t until = deadline_ns;
    if (s_poll != nullptr) {
      s_poll();
      const uint64_t poll_at = now_ns() + kInputPollNs;
      if (poll_at < until) until = poll_at;
    }
    WaitUntil(until);
    if (s_poll != nullptr) s_poll();
  }
  static void wake() {}

 private:
  static inline void (*s_poll)() = nullptr;
  static inline uint64_t s_polled_at = 0;
};

}  // namespace tandem::baremetal

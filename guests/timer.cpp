// SPDX-License-Identifier: Apache-2.0
// Periodic timer interrupts (aarch64, riscv64): a 100 Hz tick (TANDEM_GUEST_TIMER_HZ) from the
// board timer (aarch64: EL1 virtual timer, CNTV_CVAL_EL0 += period in the handler; riscv64: SBI
// set_timer each tick), kTicks interrupts taken while the main code sits in WFI. Only deterministic
// facts are printed: the timer frequency, the tick count, and that the elapsed time is at least
// kTicks periods (guaranteed: each deadline is one period after the previous) and below a generous
// upper bound.
#include <cstdint>

#include "atomic.h"
#include "board.h"
#include "guest.h"

namespace {

constexpr std::uint32_t kTicks = 10;
#ifndef TANDEM_GUEST_TIMER_HZ
#define TANDEM_GUEST_TIMER_HZ 100
#endif
constexpr std::uint64_t kHz = TANDEM_GUEST_TIMER_HZ;
constexpr std::uint64_t kMaxPeriods = 1000;

std::uint64_t g_period = 0;
std::uint64_t g_deadline = 0;
std::uint32_t g_ticks = 0;

void on_irq(std::uint32_t irq) {
  if (irq != guest::kTimerIrq) guest_exit(guest::kTrapStatus);
  const std::uint32_t ticks = guest::atomic_fetch_add(&g_ticks, 1u) + 1;
  if (ticks < kTicks) {
    g_deadline += g_period;
    guest::timer_set(g_deadline);
  } else {
    guest::timer_stop();
  }
}

const char* yes_no(bool b) { return b ? "yes\n" : "no\n"; }

}  // namespace

extern "C" int guest_main() {
  const std::uint64_t freq = guest::timer_frequency();
  guest::put_str("timer: frequency ");
  guest::put_dec(freq);
  guest::put_str(" Hz\n");
  g_period = freq / kHz;

  guest::irq_controller_init();
  guest::irq_cpu_init(0);
  guest::irq_set_handler(on_irq);
  guest::irq_local_disable();
  guest::irq_enable(guest::kTimerIrq, 0);
  const std::uint64_t start = guest::timer_now();
  g_deadline = start + g_period;
  guest::timer_set(g_deadline);
  // WFI with interrupts masked wakes on a pending one, which is then taken when they are
  // unmasked: no tick can slip in between the check and the WFI.
  while (guest::atomic_load(&g_ticks) < kTicks) {
    guest::wait_for_interrupt();
    guest::irq_local_enable();
    guest::irq_local_disable();
  }
  const std::uint64_t elapsed = guest::timer_now() - start;

  guest::put_str("timer: ");
  guest::put_dec(guest::atomic_load(&g_ticks));
  guest::put_str(" interrupts\n");
  const bool lower = elapsed >= kTicks * g_period;
  const bool upper = elapsed < kMaxPeriods * g_period;
  guest::put_str("timer: elapsed >= 10 periods: ");
  guest::put_str(yes_no(lower));
  guest::put_str("timer: elapsed < 1000 periods: ");
  guest::put_str(yes_no(upper));
  return lower && upper ? 0 : 1;
}

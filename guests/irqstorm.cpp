// SPDX-License-Identifier: Apache-2.0
// An interrupt storm (aarch64, riscv64): the timer interrupt is enabled with a deadline in the
// past (aarch64 CNTV_CVAL_EL0 = 0; riscv64 SBI set_timer(0)) and the handler never clears the
// timer condition, so the interrupt is taken again as soon as the handler returns. (On aarch64
// the GIC protocol is followed: IAR read, EOI written; the level from the timer stays high.)
// After kStorm handler entries the handler stops the timer; the main code, which waits with
// interrupts unmasked, then reports the count. A storm must be survivable and countable.
#include <cstdint>

#include "atomic.h"
#include "board.h"
#include "guest.h"

namespace {

constexpr std::uint32_t kStorm = 1000000;

std::uint32_t g_count = 0;

void on_irq(std::uint32_t irq) {
  if (irq != guest::kTimerIrq) guest_exit(guest::kTrapStatus);
  if (guest::atomic_fetch_add(&g_count, 1u) + 1 == kStorm) guest::timer_stop();
}

}  // namespace

extern "C" int guest_main() {
  guest::irq_controller_init();
  guest::irq_cpu_init(0);
  guest::irq_set_handler(on_irq);
  guest::irq_local_disable();
  guest::irq_enable(guest::kTimerIrq, 0);
  guest::timer_set(0);
  guest::irq_local_enable();
  while (guest::atomic_load(&g_count) < kStorm) guest::cpu_relax();
  guest::irq_local_disable();

  guest::put_str("irqstorm: ");
  guest::put_dec(guest::atomic_load(&g_count));
  guest::put_str(" interrupts\n");
  return guest::atomic_load(&g_count) == kStorm ? 0 : 1;
}

// SPDX-License-Identifier: Apache-2.0
// Interrupts from the local APIC timer in periodic mode while the CPU waits in HLT: the 8259s
// masked, the timer on vector 0x40 every 10 ms (QEMU and KVM clock it at 1 GHz), ten
// interrupts taken, each of which must have woken the HLT of the wait loop (the interrupted
// RIP follows a HLT) and arrived on its vector. The period is TANDEM_GUEST_TIMER_PERIOD_US
// (the idle-CPU measurement builds a slower one).
#include <cstdint>

#include "apic.h"
#include "guest.h"
#include "idt.h"

#ifndef TANDEM_GUEST_TIMER_PERIOD_US
#define TANDEM_GUEST_TIMER_PERIOD_US 10000
#endif

namespace {

constexpr unsigned kTimerVector = 0x40;
constexpr unsigned kInterrupts = 10;
constexpr std::uint8_t kHltOpcode = 0xf4;
// Bus clock at 1 GHz divided by 16: 62.5 ticks per microsecond.
constexpr std::uint32_t kTimerCount = TANDEM_GUEST_TIMER_PERIOD_US * 1000u / 16u;

volatile unsigned ticks;
volatile unsigned woke_hlt;
volatile unsigned wrong_vector;

void on_timer(unsigned vector, const guest::InterruptFrame& frame) {
  if (vector != kTimerVector) wrong_vector = wrong_vector + 1;
  if (*reinterpret_cast<const std::uint8_t*>(frame.rip - 1) == kHltOpcode) woke_hlt = woke_hlt + 1;
  ticks = ticks + 1;
  guest::apic::eoi();
}

}  // namespace

extern "C" int guest_main() {
  namespace apic = guest::apic;
  apic::pic_disable();
  guest::set_irq_handler(kTimerVector, on_timer);
  apic::lapic_enable();
  guest::put_str("timer: LAPIC timer every ");
  guest::put_dec(TANDEM_GUEST_TIMER_PERIOD_US);
  guest::put_str(" us\n");
  apic::timer_periodic(kTimerVector, kTimerCount);
  while (ticks < kInterrupts) apic::wait_for_interrupt();
  apic::timer_stop();
  const unsigned taken = ticks;
  guest::put_str("timer: ");
  guest::put_dec(kInterrupts);
  guest::put_str(" interrupts\n");
  // A periodic timer keeps firing while the guest handles one: the count may pass 10 only by
  // an interrupt taken between the last check and timer_stop(), which interrupts are off for.
  guest::put_str(taken == kInterrupts ? "timer: no interrupt after the stop\n"
                                      : "timer: extra interrupts\n");
  guest::put_str(woke_hlt == taken ? "timer: every interrupt woke hlt\n"
                                   : "timer: an interrupt came outside hlt\n");
  guest::put_str(wrong_vector == 0 ? "timer: vector 0x40\n" : "timer: wrong vector\n");
  return taken == kInterrupts && woke_hlt == taken && wrong_vector == 0 ? 0 : 1;
}

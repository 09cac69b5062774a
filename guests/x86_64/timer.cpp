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
  // Interrupts are taken only in the wait loop's HLT (sti; hlt; cli), or right after its iret
  // at the cli, which also follows the HLT.
  asm volatile("cli" ::: "memory");
  apic::timer_periodic(kTimerVector, kTimerCount);
  while (ticks < kInterrupts) apic::wait_for_interrupt();
  apic::timer_stop();
  const unsigned taken = ticks;
  const unsigned woke = woke_hlt;
  // A period that ended while the host held the vCPU (a loaded host, a nested VM) may have
  // latched one more interrupt before the stop: it is let in here. After that none may come,
  // however long the guest waits with interrupts on.
  asm volatile("sti; nop; cli" ::: "memory");
  const unsigned stopped = ticks;
  asm volatile("sti" ::: "memory");
  volatile unsigned spin = 0;
  while (spin < 1000000) spin = spin + 1;
  asm volatile("cli" ::: "memory");
  guest::put_str("timer: ");
  guest::put_dec(kInterrupts);
  guest::put_str(" interrupts\n");
  const bool quiet = ticks == stopped && stopped - taken <= 1;
  guest::put_str(quiet ? "timer: no interrupt after the stop\n"
                       : "timer: interrupts after the stop\n");
  guest::put_str(woke == taken ? "timer: every interrupt woke hlt\n"
                               : "timer: an interrupt came outside hlt\n");
  guest::put_str(wrong_vector == 0 ? "timer: vector 0x40\n" : "timer: wrong vector\n");
  return taken >= kInterrupts && quiet && woke == taken && wrong_vector == 0 ? 0 : 1;
}

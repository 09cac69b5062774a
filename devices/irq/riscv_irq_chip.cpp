// SPDX-License-Identifier: Apache-2.0
#include "devices/irq/riscv_irq_chip.h"

namespace tandem {

uint32_t RiscvIrqChip::cpu_lines(unsigned cpu) {
  uint32_t lines = 0;
  if (m_plic.context_pending(Plic::supervisor_context(cpu))) lines |= cpu_irq::kSeip;
  if (m_clint.timer_pending(cpu)) lines |= cpu_irq::kStip;
  if (m_clint.soft_irq_pending(cpu)) lines |= cpu_irq::kSsip;
  return lines;
}

bool RiscvIrqChip::sysreg_read(unsigned cpu, uint32_t id, uint64_t& value) {
  (void)cpu;
  if (id != kCsrTime) return false;
  value = m_clint.time_ticks();
  return true;
}

// The timers are levels computed from the clock in cpu_lines(), so nothing fires here: a timer
// that became due since the last call touches the chip; what is left is the next deadline.
uint64_t RiscvIrqChip::advance(uint64_t now_ns) {
  for (unsigned h = 0; h < kMaxHarts; ++h) {
    const bool due = m_clint.timer_pending(h);
    if (due != m_timer_seen[h]) {
      m_timer_seen[h] = due;
      touch();
    }
  }
  return m_clint.next_deadline_ns(now_ns);
}

}  // namespace tandem

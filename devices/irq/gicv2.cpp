// SPDX-License-Identifier: Apache-2.0
#include "devices/irq/gicv2.h"

#include "core/base/log.h"

namespace tandem {

Gicv2::Gicv2(unsigned cpu_count, GuestClock clock) : m_state(cpu_count) {
  // Affinity routing off; GICD_CTLR resets to 0 (IHI 0048B 4.3.1).
  m_state.legacy = true;
  m_state.ctlr = 0;
  for (unsigned cpu = 0; cpu < m_state.cpu_count(); ++cpu) {
    m_timers[cpu] = GenericTimer(clock, line(ppi_line(cpu, kVirtualTimerPpi)));
  }
}

uint32_t Gicv2::cpu_lines(unsigned cpu) {
  return cpu < m_state.cpu_count() ? m_gicc.lines(cpu) : 0;
}

uint64_t Gicv2::advance(uint64_t now_ns) {
  uint64_t next = kNoDeadline;
  for (unsigned cpu = 0; cpu < m_state.cpu_count(); ++cpu) {
    const uint64_t due = m_timers[cpu].advance(now_ns);
    if (due < next) next = due;
  }
  return next;
}

// The CPU interface is memory-mapped: only the timer's registers are the chip's.
bool Gicv2::sysreg_read(unsigned cpu, uint32_t id, uint64_t& value) {
  return cpu < m_state.cpu_count() && m_timers[cpu].read(id, value);
}

bool Gicv2::sysreg_write(unsigned cpu, uint32_t id, uint64_t value) {
  if (cpu >= m_state.cpu_count() || !m_timers[cpu].write(id, value)) return false;
  touch();
  return true;
}

void Gicv2::set_irq_level(uint32_t irq, bool level) {
  touch();
  if (!m_state.set_line(irq, level))
    TLOG_DEBUG("gicv2: level %d on unknown line %u ignored", level ? 1 : 0, irq);
}

}  // namespace tandem

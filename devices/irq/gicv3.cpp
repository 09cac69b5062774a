// SPDX-License-Identifier: Apache-2.0
#include "devices/irq/gicv3.h"

#include "core/base/log.h"

namespace tandem {

Gicv3::Gicv3(unsigned cpu_count, GuestClock clock, TimerMode mode)
    : m_state(cpu_count), m_mode(mode) {
  if (m_mode != TimerMode::kModel) return;
  for (unsigned cpu = 0; cpu < m_state.cpu_count(); ++cpu) {
    m_timers[cpu] = GenericTimer(clock, line(ppi_line(cpu, kVirtualTimerPpi)));
  }
}

uint32_t Gicv3::cpu_lines(unsigned cpu) {
  return cpu < m_state.cpu_count() ? m_cpuif.lines(cpu) : 0;
}

uint64_t Gicv3::advance(uint64_t now_ns) {
  uint64_t next = kNoDeadline;
  if (m_mode != TimerMode::kModel) return next;
  for (unsigned cpu = 0; cpu < m_state.cpu_count(); ++cpu) {
    const uint64_t due = m_timers[cpu].advance(now_ns);
    if (due < next) next = due;
  }
  return next;
}

// Timer reads change nothing but the timer's own output (which touches through its line); a
// CPU-interface read may acknowledge an interrupt.
bool Gicv3::sysreg_read(unsigned cpu, uint32_t id, uint64_t& value) {
  if (cpu >= m_state.cpu_count()) return false;
  if (m_mode == TimerMode::kModel && m_timers[cpu].read(id, value)) return true;
  if (!m_cpuif.read(cpu, id, value)) return false;
  touch();
  return true;
}

bool Gicv3::sysreg_write(unsigned cpu, uint32_t id, uint64_t value) {
  if (cpu >= m_state.cpu_count()) return false;
  const bool mine = (m_mode == TimerMode::kModel && m_timers[cpu].write(id, value)) ||
                    m_cpuif.write(cpu, id, value);
  if (mine) touch();
  return mine;
}

void Gicv3::set_irq_level(uint32_t irq, bool level) {
  touch();
  if (!m_state.set_line(irq, level))
    TLOG_DEBUG("gicv3: level %d on unknown line %u ignored", level ? 1 : 0, irq);
}

}  // namespace tandem

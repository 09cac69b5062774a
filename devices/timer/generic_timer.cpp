// SPDX-License-Identifier: Apache-2.0
#include "devices/timer/generic_timer.h"

#include "core/arch/aarch64/sysreg_id.h"

namespace tandem {

GenericTimer::GenericTimer(GuestClock clock, IrqLine out) : m_clock(clock), m_out(out) {
  advance(m_clock.now_ns());
}

uint64_t GenericTimer::ctl(uint64_t count) const {
  const bool met = (m_ctl & CTL_ENABLE) != 0 && count >= m_cval;
  return m_ctl | (met ? CTL_ISTATUS : 0);
}

uint64_t GenericTimer::advance(uint64_t now_ns) {
  const uint64_t count = now_ns / kNsPerTick;
  const uint64_t c = ctl(count);
  const bool masked = (c & CTL_IMASK) != 0;
  m_out.set((c & CTL_ISTATUS) != 0 && !masked);
  if ((c & CTL_ENABLE) == 0 || masked || (c & CTL_ISTATUS) != 0) return kNoDeadline;
  // The counter reaches CVAL at CVAL * 16 ns; beyond 2^64 ns it never does.
  return m_cval <= kNoDeadline / kNsPerTick ? m_cval * kNsPerTick : kNoDeadline;
}

bool GenericTimer::read(uint32_t id, uint64_t& value) {
  const uint64_t now = m_clock.now_ns();
  const uint64_t count = now / kNsPerTick;
  switch (id) {
    case a64::CNTFRQ_EL0: value = kFrequencyHz; return true;
    case a64::CNTVCT_EL0: value = count; return true;
    case a64::CNTV_CTL_EL0: value = ctl(count); break;
    case a64::CNTV_CVAL_EL0: value = m_cval; break;
    // TimerValue is CVAL - CNTVCT truncated to 32 bits; bits [63:32] are RES0 (D13.8.x), as
    // QEMU's gt_tval_read() returns them.
    case a64::CNTV_TVAL_EL0: value = static_cast<uint32_t>(m_cval - count); break;
    default: return false;
  }
  advance(now);
  return true;
}

bool GenericTimer::write(uint32_t id, uint64_t value) {
  const uint64_t now = m_clock.now_ns();
  switch (id) {
    case a64::CNTFRQ_EL0:
    case a64::CNTVCT_EL0: return true;
    case a64::CNTV_CTL_EL0: m_ctl = value & (CTL_ENABLE | CTL_IMASK); break;
    case a64::CNTV_CVAL_EL0: m_cval = value; break;
    // CVAL = CNTVCT + SignExtend(TimerValue[31:0]).
    case a64::CNTV_TVAL_EL0:
      m_cval = now / kNsPerTick + static_cast<uint64_t>(int64_t{static_cast<int32_t>(value)});
      break;
    default: return false;
  }
  advance(now);
  return true;
}

}  // namespace tandem

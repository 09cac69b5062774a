// SPDX-License-Identifier: Apache-2.0
#include "devices/timer/clint.h"

#include "core/base/log.h"

namespace tandem {
namespace {

constexpr uint64_t kNever = ~uint64_t{0};

// The `size` bytes at byte `at` of a 64-bit register (little-endian, as RISC-V).
uint64_t extract(uint64_t reg, uint64_t at, unsigned size) {
  return size == 8 ? reg : (reg >> (8 * at)) & 0xFFFF'FFFF;
}

uint64_t merge(uint64_t reg, uint64_t at, unsigned size, uint64_t value) {
  if (size == 8) return value;
  const uint64_t mask = uint64_t{0xFFFF'FFFF} << (8 * at);
  return (reg & ~mask) | ((value << (8 * at)) & mask);
}

}  // namespace

Clint::Clint(unsigned hart_count, GuestClock clock)
    : m_harts(hart_count == 0          ? 1
              : hart_count < kMaxHarts ? hart_count
                                       : kMaxHarts),
      m_clock(clock) {
  m_deadline.fill(kNever);
}

void Clint::set_timer(unsigned hart, uint64_t ticks) {
  if (hart < m_harts) m_deadline[hart] = ticks;
}

bool Clint::timer_pending(unsigned hart) const {
  return hart < m_harts && time_ticks() >= m_deadline[hart];
}

uint64_t Clint::next_deadline_ns(uint64_t now_ns) const {
  uint64_t next = kNoDeadline;
  for (unsigned h = 0; h < m_harts; ++h) {
    // Tick t is due from t * kNsPerTick on; a deadline beyond 2^64 ns never comes.
    if (m_deadline[h] > kNoDeadline / kNsPerTick) continue;
    const uint64_t ns = m_deadline[h] * kNsPerTick;
    if (ns > now_ns && ns < next) next = ns;
  }
  return next;
}

void Clint::send_soft_irq(unsigned hart) {
  if (hart < m_harts) m_soft[hart] = true;
}

bool Clint::take_soft_irq(unsigned hart) {
  if (hart >= m_harts || !m_soft[hart]) return false;
  m_soft[hart] = false;
  return true;
}

uint64_t Clint::read(uint64_t offset, unsigned size) {
  if ((size != 4 && size != 8) || offset % size != 0) return 0;
  if (offset < kMtimecmpBase) {
    const uint64_t hart = (offset - kMsipBase) / 4;
    return size == 4 && hart < m_harts && m_soft[hart] ? 1 : 0;
  }
  if (offset >= kMtime + 8) return 0;
  if (offset >= kMtime) return extract(time_ticks(), offset - kMtime, size);
  const uint64_t hart = (offset - kMtimecmpBase) / 8;
  return hart < m_harts ? extract(m_deadline[hart], offset % 8, size) : 0;
}

void Clint::write(uint64_t offset, unsigned size, uint64_t value) {
  if ((size != 4 && size != 8) || offset % size != 0) {
    TLOG_DEBUG("clint: ignored %u-byte write at %#llx", size,
               static_cast<unsigned long long>(offset));
    return;
  }
  if (offset < kMtimecmpBase) {
    const uint64_t hart = (offset - kMsipBase) / 4;
    if (size != 4 || hart >= m_harts) return;
    m_soft[hart] = (value & 1) != 0;
  } else if (offset >= kMtime) {
    TLOG_DEBUG("clint: write at %#llx ignored (mtime is the guest clock, read-only)",
               static_cast<unsigned long long>(offset));
  } else {
    const uint64_t hart = (offset - kMtimecmpBase) / 8;
    if (hart < m_harts) m_deadline[hart] = merge(m_deadline[hart], offset % 8, size, value);
  }
}

// The ACLINT specification's names (MSWI msip<h>, MTIMER mtimecmp<h> and mtime); a 4-byte
// access to the upper half of a 64-bit register is named `.hi`.
bool Clint::register_name(uint64_t offset, bool write, RegisterName& out) const {
  (void)write;
  const auto n = [](uint64_t v) { return static_cast<unsigned>(v); };
  if (offset < kMsipBase + 4 * uint64_t{kMaxHarts}) return out.set_format("msip%u", n(offset / 4));
  if (offset >= kMtimecmpBase && offset < kMtimecmpBase + 8 * uint64_t{kMaxHarts})
    return out.set_format("mtimecmp%u%s", n((offset - kMtimecmpBase) / 8),
                          offset % 8 >= 4 ? ".hi" : "");
  if (offset >= kMtime && offset < kMtime + 8)
    return out.set(offset % 8 >= 4 ? "mtime.hi" : "mtime");
  return false;
}

}  // namespace tandem

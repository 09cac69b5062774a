// SPDX-License-Identifier: Apache-2.0
#include "devices/irq/gicv3_state.h"

#include "core/base/bits.h"

namespace tandem {

Gicv3State::Gicv3State(unsigned cpu_count)
    : m_cpu_count(cpu_count == 0 ? 1 : (cpu_count > kMaxCpus ? kMaxCpus : cpu_count)) {
  // SGIs are always edge-triggered (GICR_ICFGR0 is read-only); PPIs and SPIs reset to level.
  for (Cpu& c : m_cpus) c.bank.edge = 0xFFFF;
}

GicIrqBank* Gicv3State::bank(unsigned cpu, uint32_t intid) {
  if (intid < 32) return cpu < m_cpu_count ? &m_cpus[cpu].bank : nullptr;
  if (intid < kIrqCount) return &m_spis[(intid - 32) / 32];
  return nullptr;
}

void Gicv3State::set_level(unsigned cpu, uint32_t intid, bool level) {
  GicIrqBank* b = bank(cpu, intid);
  if (b == nullptr || intid < 16) return;  // SGIs have no input line
  const uint32_t bit = 1u << (intid % 32);
  // IHI 0069 4.1.1: an edge-triggered interrupt becomes pending on a rising edge.
  if (level && (b->level & bit) == 0 && (b->edge & bit) != 0) b->latch |= bit;
  b->level = level ? (b->level | bit) : (b->level & ~bit);
}

bool Gicv3State::set_line(uint32_t line, bool level) {
  if (line >= 32 && line < kIrqCount) {
    set_level(0, line, level);
    return true;
  }
  const uint32_t cpu = (line - kPpiLineBase) / 32;
  const uint32_t intid = (line - kPpiLineBase) % 32;
  if (line < kPpiLineBase || cpu >= m_cpu_count || intid < 16) return false;
  set_level(cpu, intid, level);
  return true;
}

unsigned Gicv3State::spi_target(uint32_t intid) {
  if (legacy) {
    // IHI 0048B 3.1.1: any CPU of the target list may take it; the lowest-numbered one here,
    // as in 1 of N below. A uniprocessor GIC has no target list (4.3.12).
    if (m_cpu_count == 1) return 0;
    const uint32_t list = targets[intid - 32] & ((1u << m_cpu_count) - 1);
    return list != 0 ? lowest_set_bit(list) : kMaxCpus;
  }
  const uint64_t route = router[intid - 32];
  if ((route & IROUTER_IRM) != 0) {
    // 1 of N (IHI 0069 4.7.2): any PE that is awake and takes the interrupt's group; this
    // model picks the lowest-numbered one.
    const unsigned group = (bank(0, intid)->group >> (intid % 32)) & 1;
    for (unsigned c = 0; c < m_cpu_count; ++c) {
      if (!m_cpus[c].processor_sleep && m_cpus[c].icc.igrpen[group]) return c;
    }
    return kMaxCpus;
  }
  // Aff3.Aff2.Aff1 must be 0 and Aff0 the CPU index: the MPIDR of QEMU virt's CPUs 0..7.
  const uint64_t aff = route & 0xFF'00FF'FFFFull;
  return aff < m_cpu_count ? static_cast<unsigned>(aff) : kMaxCpus;
}

// The pending interrupts of a bank the distributor forwards: enabled, not already active,
// and in a group enabled by GICD_CTLR (which gates SGIs and PPIs too, IHI 0069 12.9.4).
uint32_t Gicv3State::forwarded(const GicIrqBank& b) const {
  uint32_t groups = 0;
  if ((ctlr & CTLR_EnableGrp0) != 0) groups |= ~b.group;
  if ((ctlr & CTLR_EnableGrp1) != 0) groups |= b.group;
  return b.pending() & b.enabled & ~b.active & groups;
}

void Gicv3State::consider(unsigned cpu, uint32_t base, GicPendingIrq& best) {
  GicIrqBank& b = *bank(cpu, base);
  for (uint32_t bits = forwarded(b); bits != 0; bits &= bits - 1) {
    const unsigned i = lowest_set_bit(bits);
    const uint32_t intid = base + i;
    if (intid >= 32 && spi_target(intid) != cpu) continue;
    // Scanning upwards with a strict compare leaves ties to the lowest INTID.
    if (best.intid == kSpurious || b.priority[i] < best.priority) {
      best = {intid, b.priority[i], (b.group >> i) & 1};
    }
  }
}

GicPendingIrq Gicv3State::highest_pending(unsigned cpu) {
  GicPendingIrq best = {kSpurious, 0xFF, 0};
  for (uint32_t base = 0; base < kIrqCount; base += 32) consider(cpu, base, best);
  return best;
}

}  // namespace tandem

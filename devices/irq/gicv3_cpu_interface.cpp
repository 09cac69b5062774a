// SPDX-License-Identifier: Apache-2.0
#include "devices/irq/gicv3_cpu_interface.h"

#include "core/arch/aarch64/sysreg_id.h"
#include "core/base/bits.h"
#include "core/irq/irq_chip.h"

namespace tandem {
namespace {

using namespace a64;

constexpr unsigned kPriorityShift = 3;  // 5 implemented bits: priority[7:3]
constexpr uint8_t kPmrMask = 0xF8;
constexpr uint8_t kMinBpr[2] = {2, 3};  // IHI 0069 12.2.4/12.2.5 with 5 priority bits
constexpr uint8_t kIdle = 0xFF;         // running priority with nothing active

}  // namespace

// GroupBits() (IHI 0069 4.8.3): the bits of a priority that decide preemption. A Group 1
// interrupt uses BPR1 - 1 (the Non-secure BPR1 counts one higher), or BPR0 with CBPR set.
uint8_t Gicv3CpuInterface::group_priority_mask(unsigned cpu, unsigned group) {
  const Gicv3State::CpuInterface& icc = m_state.cpu(cpu).icc;
  unsigned bpr = icc.bpr[0];
  if (group == 1 && (icc.ctlr & CTLR_CBPR) == 0) bpr = icc.bpr[1] - 1u;
  return static_cast<uint8_t>(0xFFu << (bpr + 1));
}

uint8_t Gicv3CpuInterface::running_priority(unsigned cpu) {
  const Gicv3State::CpuInterface& icc = m_state.cpu(cpu).icc;
  const uint32_t apr = icc.apr[0] | icc.apr[1];
  if (apr == 0) return kIdle;
  return static_cast<uint8_t>(lowest_set_bit(apr) << kPriorityShift);
}

// IHI 0069 4.8: the interrupt is signalled if its group is enabled, its priority is above the
// mask and its group priority above the running priority.
bool Gicv3CpuInterface::can_preempt(unsigned cpu, const GicPendingIrq& irq) {
  const Gicv3State::CpuInterface& icc = m_state.cpu(cpu).icc;
  if (irq.intid == Gicv3State::kSpurious || !icc.igrpen[irq.group]) return false;
  if (irq.priority >= icc.pmr) return false;
  const uint8_t running = running_priority(cpu);
  if (running == kIdle) return true;
  const uint8_t mask = group_priority_mask(cpu, irq.group);
  return (irq.priority & mask) < (running & mask);
}

uint32_t Gicv3CpuInterface::lines(unsigned cpu) {
  const GicPendingIrq irq = m_state.highest_pending(cpu);
  if (!can_preempt(cpu, irq)) return 0;
  return irq.group == 0 ? cpu_irq::kFiq : cpu_irq::kIrq;
}

// ICC_IAR0/1_EL1 (12.2.13/14): only the highest-priority pending interrupt can be taken, and
// only through the IAR of its group; it becomes active (a level-sensitive one whose input is
// still high is then active and pending).
uint64_t Gicv3CpuInterface::acknowledge(unsigned cpu, unsigned group) {
  const GicPendingIrq irq = m_state.highest_pending(cpu);
  if (!can_preempt(cpu, irq) || irq.group != group) return Gicv3State::kSpurious;
  GicIrqBank& bank = *m_state.bank(cpu, irq.intid);
  const uint32_t bit = 1u << (irq.intid % 32);
  bank.active |= bit;
  bank.latch &= ~bit;
  const unsigned level = (irq.priority & group_priority_mask(cpu, group)) >> kPriorityShift;
  m_state.cpu(cpu).icc.apr[group] |= 1u << level;
  return irq.intid;
}

// ICC_HPPIR0/1_EL1 (12.2.11/12): the priority mask and running priority do not apply.
uint64_t Gicv3CpuInterface::highest_pending_of(unsigned cpu, unsigned group) {
  const GicPendingIrq irq = m_state.highest_pending(cpu);
  if (irq.intid == Gicv3State::kSpurious || irq.group != group) return Gicv3State::kSpurious;
  return m_state.cpu(cpu).icc.igrpen[group] ? irq.intid : Gicv3State::kSpurious;
}

// ICC_EOIR0/1_EL1 (12.2.9/10): priority drop of the highest active priority, if it belongs to
// this group (as QEMU, an EOI for the other group is ignored), then deactivation unless
// EOImode splits it off to ICC_DIR_EL1.
void Gicv3CpuInterface::end_of_interrupt(unsigned cpu, unsigned group, uint64_t value) {
  const uint32_t intid = static_cast<uint32_t>(value & 0xFF'FFFF);
  if (intid >= Gicv3State::kIrqCount) return;  // special INTIDs and unimplemented ones
  Gicv3State::CpuInterface& icc = m_state.cpu(cpu).icc;
  const uint32_t all = icc.apr[0] | icc.apr[1];
  const uint32_t lowest = all & (0u - all);
  if (lowest == 0) return;
  // Ties go to group 0, as QEMU's icc_highest_active_group().
  const unsigned active_group = (icc.apr[0] & lowest) != 0 ? 0 : 1;
  if (active_group != group) return;
  icc.apr[group] &= ~lowest;
  if ((icc.ctlr & CTLR_EOImode) == 0) deactivate(cpu, intid);
}

void Gicv3CpuInterface::deactivate(unsigned cpu, uint64_t value) {
  const uint32_t intid = static_cast<uint32_t>(value & 0xFF'FFFF);
  if (GicIrqBank* bank = m_state.bank(cpu, intid)) bank->active &= ~(1u << (intid % 32));
}

void Gicv3CpuInterface::write_bpr(unsigned cpu, unsigned group, uint64_t value) {
  Gicv3State::CpuInterface& icc = m_state.cpu(cpu).icc;
  if (group == 1 && (icc.ctlr & CTLR_CBPR) != 0) return;  // BPR1 is an alias of BPR0 + 1
  const uint8_t bpr = static_cast<uint8_t>(value & 7);
  icc.bpr[group] = bpr < kMinBpr[group] ? kMinBpr[group] : bpr;
}

// ICC_SGI0R/SGI1R/ASGI1R_EL1 (12.2.21-23): TargetList [15:0] names Aff0 values under
// Aff3.Aff2.Aff1 = [55:48].[39:32].[23:16]; IRM [40] = every PE but the sender. A target
// takes the SGI only when its configured group is the one the register generates. QEMU 7.2
// ignores RS [47:44] (ICC_CTLR_EL1.RSS is 0), and so does this model.
void Gicv3CpuInterface::generate_sgi(unsigned cpu, uint64_t value, unsigned target_group) {
  const uint32_t intid = static_cast<uint32_t>((value >> 24) & 0xF);
  const bool all_but_self = ((value >> 40) & 1) != 0;
  const bool aff_zero = (value & 0xFF'00FF'00FF'0000ull) == 0;
  for (unsigned c = 0; c < m_state.cpu_count(); ++c) {
    if (all_but_self ? c == cpu : !aff_zero || ((value >> c) & 1) == 0) continue;
    GicIrqBank& bank = m_state.cpu(c).bank;
    if (((bank.group >> intid) & 1) == target_group) bank.latch |= 1u << intid;
  }
}

bool Gicv3CpuInterface::read(unsigned cpu, uint32_t id, uint64_t& value) {
  const Gicv3State::CpuInterface& icc = m_state.cpu(cpu).icc;
  switch (id) {
    case ICC_SRE_EL1: value = kSre; return true;
    case ICC_PMR_EL1: value = icc.pmr; return true;
    case ICC_BPR0_EL1: value = icc.bpr[0]; return true;
    case ICC_BPR1_EL1:
      value = (icc.ctlr & CTLR_CBPR) != 0 ? (icc.bpr[0] < 7 ? icc.bpr[0] + 1u : 7u) : icc.bpr[1];
      return true;
    case ICC_AP0R0_EL1: value = icc.apr[0]; return true;
    case ICC_AP1R0_EL1: value = icc.apr[1]; return true;
    case ICC_IGRPEN0_EL1: value = icc.igrpen[0]; return true;
    case ICC_IGRPEN1_EL1: value = icc.igrpen[1]; return true;
    case ICC_CTLR_EL1: value = kCtlrFixed | icc.ctlr; return true;
    case ICC_RPR_EL1: value = running_priority(cpu); return true;
    case ICC_IAR0_EL1: value = acknowledge(cpu, 0); return true;
    case ICC_IAR1_EL1: value = acknowledge(cpu, 1); return true;
    case ICC_HPPIR0_EL1: value = highest_pending_of(cpu, 0); return true;
    case ICC_HPPIR1_EL1: value = highest_pending_of(cpu, 1); return true;
    // Write-only registers read as zero.
    case ICC_EOIR0_EL1:
    case ICC_EOIR1_EL1:
    case ICC_DIR_EL1:
    case ICC_SGI0R_EL1:
    case ICC_SGI1R_EL1:
    case ICC_ASGI1R_EL1: value = 0; return true;
    default: return false;
  }
}

bool Gicv3CpuInterface::write(unsigned cpu, uint32_t id, uint64_t value) {
  Gicv3State::CpuInterface& icc = m_state.cpu(cpu).icc;
  switch (id) {
    case ICC_PMR_EL1: icc.pmr = static_cast<uint8_t>(value) & kPmrMask; return true;
    case ICC_BPR0_EL1: write_bpr(cpu, 0, value); return true;
    case ICC_BPR1_EL1: write_bpr(cpu, 1, value); return true;
    case ICC_AP0R0_EL1: icc.apr[0] = static_cast<uint32_t>(value); return true;
    case ICC_AP1R0_EL1: icc.apr[1] = static_cast<uint32_t>(value); return true;
    case ICC_IGRPEN0_EL1: icc.igrpen[0] = (value & 1) != 0; return true;
    case ICC_IGRPEN1_EL1: icc.igrpen[1] = (value & 1) != 0; return true;
    case ICC_CTLR_EL1:
      icc.ctlr = static_cast<uint32_t>(value) & (CTLR_CBPR | CTLR_EOImode);
      return true;
    case ICC_EOIR0_EL1: end_of_interrupt(cpu, 0, value); return true;
    case ICC_EOIR1_EL1: end_of_interrupt(cpu, 1, value); return true;
    case ICC_DIR_EL1:
      // Without EOImode the EOIR write deactivated already; QEMU ignores DIR then.
      if ((icc.ctlr & CTLR_EOImode) != 0) deactivate(cpu, value);
      return true;
    case ICC_SGI0R_EL1: generate_sgi(cpu, value, 0); return true;
    case ICC_SGI1R_EL1: generate_sgi(cpu, value, 1); return true;
    // From the Non-secure state ASGI1R asks for Secure Group 1 SGIs; with one security state
    // QEMU delivers them to targets whose SGI is configured as Group 0.
    case ICC_ASGI1R_EL1: generate_sgi(cpu, value, 0); return true;
    // Read-only registers ignore writes; ICC_SRE_EL1 is fixed.
    case ICC_SRE_EL1:
    case ICC_RPR_EL1:
    case ICC_IAR0_EL1:
    case ICC_IAR1_EL1:
    case ICC_HPPIR0_EL1:
    case ICC_HPPIR1_EL1: return true;
    default: return false;
  }
}

}  // namespace tandem

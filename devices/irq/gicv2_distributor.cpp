// SPDX-License-Identifier: Apache-2.0
#include "devices/irq/gicv2_distributor.h"

#include <array>

#include "core/base/log.h"
#include "devices/irq/gicv3_irq_regs.h"

namespace tandem {
namespace {

// GICD_CTLR without the Security Extensions (4.3.1): EnableGrp0 [0], EnableGrp1 [1].
constexpr uint32_t kCtlrWritable = Gicv3State::CTLR_EnableGrp0 | Gicv3State::CTLR_EnableGrp1;
constexpr uint32_t kIidr = 0x43B;  // implementer Arm (4.3.3)
constexpr uint64_t kTargetsEnd = Gicv2Distributor::GICD_ITARGETSR + Gicv3State::kIrqCount;
// CoreSight ID registers PIDR4..7, PIDR0..3, CIDR0..3 at 0xFD0..0xFFC: PIDR2[7:4] = 2 names
// the GIC architecture version (4.3.16 "Identification registers").
constexpr uint64_t kIdRegsFirst = 0xFD0;
constexpr std::array<uint8_t, 12> kIds = {0x04, 0x00, 0x00, 0x00, 0x90, 0xB4,
                                          0x2B, 0x00, 0x0D, 0xF0, 0x05, 0xB1};

bool irq_regs(uint64_t offset) {
  return offset >= GicIrqRegs::kFirst && offset < GicIrqRegs::kEnd &&
         (offset < GicIrqRegs::ITARGETSR || offset >= GicIrqRegs::ICFGR);
}

bool targets(uint64_t offset, unsigned size) {
  return offset >= Gicv2Distributor::GICD_ITARGETSR && offset < kTargetsEnd &&
         (size == 1 || size == 4) && offset % size == 0;
}

}  // namespace

uint64_t Gicv2Distributor::read(uint64_t offset, unsigned size) {
  const unsigned cpu = m_chip.accessor();
  if (irq_regs(offset)) return GicIrqRegs{m_state, cpu, GicIrqRegs::Banks::kAll}.read(offset, size);
  if (targets(offset, size)) {
    // ITARGETSR0..7 read as the accessing CPU's own bit; with one CPU all are RAZ/WI (4.3.12).
    if (m_state.cpu_count() == 1) return 0;
    uint32_t value = 0;
    for (unsigned i = 0; i < size; ++i) {
      const uint32_t intid = static_cast<uint32_t>(offset - GICD_ITARGETSR) + i;
      const uint32_t byte = intid < 32 ? 1u << cpu : m_state.targets[intid - 32];
      value |= byte << (8 * i);
    }
    return value;
  }
  if (size == 4 && offset % 4 == 0) return read32(offset);
  TLOG_DEBUG("gicv2: %u-byte GICD read at %#llx", size, static_cast<unsigned long long>(offset));
  return 0;
}

uint32_t Gicv2Distributor::read32(uint64_t offset) {
  if (offset >= kIdRegsFirst) return kIds[(offset - kIdRegsFirst) / 4];
  switch (offset) {
    case GICD_CTLR: return m_state.ctlr & kCtlrWritable;
    // TYPER (4.3.2): CPUNumber [7:5] = CPUs - 1, ITLinesNumber [4:0] = INTIDs / 32 - 1.
    case GICD_TYPER: return ((m_state.cpu_count() - 1) << 5) | (Gicv3State::kIrqCount / 32 - 1);
    case GICD_IIDR: return kIidr;
    default: return 0;  // reserved, SGIR (write-only), C/SPENDSGIR (not modelled): RAZ/WI
  }
}

void Gicv2Distributor::write(uint64_t offset, unsigned size, uint64_t value) {
  const unsigned cpu = m_chip.accessor();
  if (irq_regs(offset)) {
    GicIrqRegs{m_state, cpu, GicIrqRegs::Banks::kAll}.write(offset, size,
                                                            static_cast<uint32_t>(value));
    return;
  }
  if (targets(offset, size)) {
    if (m_state.cpu_count() == 1) return;
    const uint32_t cpus = (1u << m_state.cpu_count()) - 1;
    for (unsigned i = 0; i < size; ++i) {
      const uint32_t intid = static_cast<uint32_t>(offset - GICD_ITARGETSR) + i;
      if (intid >= 32) m_state.targets[intid - 32] = static_cast<uint8_t>(value >> (8 * i)) & cpus;
    }
    return;
  }
  if (size == 4 && offset == GICD_CTLR) {
    m_state.ctlr = static_cast<uint32_t>(value) & kCtlrWritable;
    return;
  }
  if (size == 4 && offset == GICD_SGIR) {
    send_sgi(cpu, static_cast<uint32_t>(value));
    return;
  }
  TLOG_DEBUG("gicv2: %u-byte GICD write %#llx at %#llx", size,
             static_cast<unsigned long long>(value), static_cast<unsigned long long>(offset));
}

// GICD_SGIR (4.3.15): SGIINTID [3:0], CPUTargetList [23:16], TargetListFilter [25:24] (0: the
// list, 1: every CPU but the sender, 2: the sender only, 3: reserved). Each target records the
// sender, which its GICC_IAR reports.
void Gicv2Distributor::send_sgi(unsigned from, uint32_t value) {
  const uint32_t intid = value & 0xF;
  const uint32_t all = (1u << m_state.cpu_count()) - 1;
  uint32_t list = 0;
  switch ((value >> 24) & 3) {
    case 0: list = (value >> 16) & all; break;
    case 1: list = all & ~(1u << from); break;
    case 2: list = 1u << from; break;
    default: return;
  }
  for (unsigned c = 0; c < m_state.cpu_count(); ++c) {
    if (((list >> c) & 1) == 0) continue;
    Gicv3State::Cpu& target = m_state.cpu(c);
    target.sgi_sources[intid] |= static_cast<uint8_t>(1u << from);
    target.bank.latch |= 1u << intid;
  }
}

}  // namespace tandem

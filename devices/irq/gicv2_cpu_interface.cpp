// SPDX-License-Identifier: Apache-2.0
#include "devices/irq/gicv2_cpu_interface.h"

#include "core/arch/aarch64/sysreg_id.h"
#include "core/base/bits.h"
#include "core/base/log.h"

namespace tandem {
namespace {

using namespace a64;

constexpr uint32_t kCtlrWritable = Gicv2CpuInterface::CTLR_EnableGrp0 |
                                   Gicv2CpuInterface::CTLR_EnableGrp1 |
                                   Gicv2CpuInterface::CTLR_AckCtl | Gicv2CpuInterface::CTLR_FIQEn |
                                   Gicv2CpuInterface::CTLR_CBPR | Gicv2CpuInterface::CTLR_EOImode;
// GICC_IIDR (4.4.16): architecture version 2 [19:16], implementer Arm.
constexpr uint32_t kIidr = (2u << 16) | 0x43B;
constexpr uint32_t kIntidMask = 0x3FF;  // GICC_IAR/EOIR: InterruptID [9:0], CPUID [12:10]

// The ICC_*_EL1 register a GICC register is a view of; 0 for none.
uint32_t icc_register(uint64_t offset) {
  switch (offset) {
    case Gicv2CpuInterface::GICC_PMR: return ICC_PMR_EL1;
    case Gicv2CpuInterface::GICC_BPR: return ICC_BPR0_EL1;
    case Gicv2CpuInterface::GICC_RPR: return ICC_RPR_EL1;
    case Gicv2CpuInterface::GICC_ABPR: return ICC_BPR1_EL1;
    case Gicv2CpuInterface::GICC_AHPPIR: return ICC_HPPIR1_EL1;
    case Gicv2CpuInterface::GICC_APR0: return ICC_AP0R0_EL1;
    case Gicv2CpuInterface::GICC_NSAPR0: return ICC_AP1R0_EL1;
    default: return 0;
  }
}

}  // namespace

uint64_t Gicv2CpuInterface::icc_read(unsigned cpu, uint32_t id) {
  uint64_t value = 0;
  (void)m_icc.read(cpu, id, value);
  return value;
}

uint32_t Gicv2CpuInterface::lines(unsigned cpu) {
  const uint32_t lines = m_icc.lines(cpu);
  if ((lines & cpu_irq::kFiq) == 0 || (m_ctlr[cpu] & CTLR_FIQEn) != 0) return lines;
  return (lines & ~cpu_irq::kFiq) | cpu_irq::kIrq;
}

// An SGI's InterruptID with the CPUID of its lowest-numbered sender.
uint32_t Gicv2CpuInterface::with_source(unsigned cpu, uint32_t intid) {
  if (intid >= 16) return intid;
  const uint8_t sources = m_state.cpu(cpu).sgi_sources[intid];
  return sources == 0 ? intid : intid | lowest_set_bit(sources) << 10;
}

// GICC_IAR / AIAR (4.4.4): the acknowledged SGI stops being pending from that sender only; it
// stays pending (and is now also active) while other senders wait (3.2.4).
uint32_t Gicv2CpuInterface::acknowledge(unsigned cpu, uint32_t id) {
  uint32_t intid = static_cast<uint32_t>(icc_read(cpu, id));
  if (intid == Gicv3State::kSpurious && id == ICC_IAR0_EL1 && (m_ctlr[cpu] & CTLR_AckCtl) != 0)
    intid = static_cast<uint32_t>(icc_read(cpu, ICC_IAR1_EL1));
  const uint32_t value = with_source(cpu, intid);
  if (intid < 16) {
    Gicv3State::Cpu& c = m_state.cpu(cpu);
    c.sgi_sources[intid] &= static_cast<uint8_t>(~(1u << (value >> 10)));
    if (c.sgi_sources[intid] != 0) c.bank.latch |= 1u << intid;
  }
  return value;
}

void Gicv2CpuInterface::write_ctlr(unsigned cpu, uint32_t value) {
  m_ctlr[cpu] = value & kCtlrWritable;
  (void)m_icc.write(cpu, ICC_IGRPEN0_EL1, (value & CTLR_EnableGrp0) != 0 ? 1 : 0);
  (void)m_icc.write(cpu, ICC_IGRPEN1_EL1, (value & CTLR_EnableGrp1) != 0 ? 1 : 0);
  uint64_t icc_ctlr = 0;
  if ((value & CTLR_CBPR) != 0) icc_ctlr |= Gicv3CpuInterface::CTLR_CBPR;
  if ((value & CTLR_EOImode) != 0) icc_ctlr |= Gicv3CpuInterface::CTLR_EOImode;
  (void)m_icc.write(cpu, ICC_CTLR_EL1, icc_ctlr);
}

uint64_t Gicv2CpuInterface::read(uint64_t offset, unsigned size) {
  const unsigned cpu = m_chip.accessor();
  if (size != 4 || offset % 4 != 0 || cpu >= m_state.cpu_count()) {
    TLOG_DEBUG("gicv2: %u-byte GICC read at %#llx", size, static_cast<unsigned long long>(offset));
    return 0;
  }
  if (const uint32_t id = icc_register(offset)) return icc_read(cpu, id);
  switch (offset) {
    case GICC_CTLR: return m_ctlr[cpu];
    case GICC_IAR: return acknowledge(cpu, ICC_IAR0_EL1);
    case GICC_AIAR: return acknowledge(cpu, ICC_IAR1_EL1);
    case GICC_HPPIR: return with_source(cpu, static_cast<uint32_t>(icc_read(cpu, ICC_HPPIR0_EL1)));
    case GICC_IIDR: return kIidr;
    default: return 0;  // write-only (EOIR, AEOIR, DIR) and reserved registers
  }
}

void Gicv2CpuInterface::write(uint64_t offset, unsigned size, uint64_t value) {
  const unsigned cpu = m_chip.accessor();
  if (size != 4 || offset % 4 != 0 || cpu >= m_state.cpu_count()) {
    TLOG_DEBUG("gicv2: %u-byte GICC write at %#llx", size, static_cast<unsigned long long>(offset));
    return;
  }
  switch (offset) {
    case GICC_CTLR: write_ctlr(cpu, static_cast<uint32_t>(value)); return;
    case GICC_EOIR: (void)m_icc.write(cpu, ICC_EOIR0_EL1, value & kIntidMask); return;
    case GICC_AEOIR: (void)m_icc.write(cpu, ICC_EOIR1_EL1, value & kIntidMask); return;
    case GICC_DIR: (void)m_icc.write(cpu, ICC_DIR_EL1, value & kIntidMask); return;
    case GICC_RPR:
    case GICC_IAR:
    case GICC_AIAR:
    case GICC_HPPIR:
    case GICC_AHPPIR:
    case GICC_IIDR: return;  // read-only
    default: break;
  }
  if (const uint32_t id = icc_register(offset)) (void)m_icc.write(cpu, id, value);
}

}  // namespace tandem

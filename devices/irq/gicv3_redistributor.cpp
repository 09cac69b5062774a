// SPDX-License-Identifier: Apache-2.0
#include "devices/irq/gicv3_redistributor.h"

#include "core/base/log.h"
#include "devices/irq/gicv3_ids.h"
#include "devices/irq/gicv3_irq_regs.h"

namespace tandem {

uint64_t Gicv3Redistributors::typer(unsigned cpu) const {
  // Affinity_Value [63:32] is the CPU's MPIDR affinity (Aff0 = index on QEMU virt),
  // Processor_Number [23:8] its index; Last marks the final frame of the region.
  const uint64_t last = cpu + 1 == m_state.cpu_count() ? TYPER_Last : 0;
  return (uint64_t{cpu} << 32) | TYPER_CommonLPIAff | (uint64_t{cpu} << 8) | last;
}

uint64_t Gicv3Redistributors::read(uint64_t offset, unsigned size) {
  const unsigned cpu = static_cast<unsigned>(offset / kFrameStride);
  const uint64_t off = offset % kFrameStride;
  if (cpu >= m_state.cpu_count()) return 0;
  if (off >= kSgiFrame) {
    const uint64_t sgi = off - kSgiFrame;
    if (sgi >= GicIrqRegs::kFirst && sgi < GicIrqRegs::kEnd) {
      return GicIrqRegs{m_state, cpu, GicIrqRegs::Banks::kPrivate}.read(sgi, size);
    }
    return 0;  // IGRPMODR0 and NSACR are RAZ/WI with one security state
  }
  if (size == 8 && off == GICR_TYPER) return typer(cpu);
  if (size == 4 && off % 4 == 0) return read_rd(cpu, off);
  TLOG_DEBUG("gicv3: %u-byte GICR read at %#llx", size, static_cast<unsigned long long>(offset));
  return 0;
}

uint32_t Gicv3Redistributors::read_rd(unsigned cpu, uint64_t off) {
  if (off >= gicv3::kIdRegsFirst && off < gicv3::kIdRegsEnd) {
    return gicv3::id_register(off, gicv3::kPidr0Redistributor);
  }
  switch (off) {
    case GICR_IIDR: return gicv3::kIidr;
    case GICR_TYPER: return static_cast<uint32_t>(typer(cpu));
    case GICR_TYPER + 4: return static_cast<uint32_t>(typer(cpu) >> 32);
    case GICR_WAKER:
      return m_state.cpu(cpu).processor_sleep ? WAKER_ProcessorSleep | WAKER_ChildrenAsleep : 0;
    default: return 0;  // CTLR (no LPIs, nothing asynchronous), STATUSR, reserved
  }
}

void Gicv3Redistributors::write(uint64_t offset, unsigned size, uint64_t value) {
  const unsigned cpu = static_cast<unsigned>(offset / kFrameStride);
  const uint64_t off = offset % kFrameStride;
  if (cpu >= m_state.cpu_count()) return;
  if (off >= kSgiFrame) {
    const uint64_t sgi = off - kSgiFrame;
    if (sgi >= GicIrqRegs::kFirst && sgi < GicIrqRegs::kEnd) {
      GicIrqRegs{m_state, cpu, GicIrqRegs::Banks::kPrivate}.write(sgi, size,
                                                                  static_cast<uint32_t>(value));
    }
    return;
  }
  if (size == 4 && off == GICR_WAKER) {
    // The power handshake is instant: ChildrenAsleep follows ProcessorSleep (12.10.35).
    m_state.cpu(cpu).processor_sleep = (value & WAKER_ProcessorSleep) != 0;
    return;
  }
  TLOG_DEBUG("gicv3: %u-byte GICR write %#llx to read-only/reserved offset %#llx", size,
             static_cast<unsigned long long>(value), static_cast<unsigned long long>(offset));
}

}  // namespace tandem

// SPDX-License-Identifier: Apache-2.0
// The aarch64 interrupt controller of QEMU 7.2's virt board with gic-version=3: a GICv3
// (IHI 0069) with one security state, 128 SPIs and no ITS, plus, on backends that trap them,
// each CPU's virtual timer. Two register frames, placed by the board: GICD (64 KiB) and the
// redistributors (128 KiB per CPU: RD_base, then SGI_base at +64 KiB).
//
// Interrupt lines (IrqChip::line / set_irq_level): an SPI by its INTID (32..159); a PPI of
// one CPU by ppi_line(cpu, intid). SGIs have no line.
#pragma once

#include <array>
#include <cstdint>

#include "core/irq/irq_chip.h"
#include "devices/irq/gicv3_cpu_interface.h"
#include "devices/irq/gicv3_distributor.h"
#include "devices/irq/gicv3_redistributor.h"
#include "devices/irq/gicv3_state.h"
#include "devices/timer/generic_timer.h"

namespace tandem {

class Gicv3 final : public IrqChip {
 public:
  enum class TimerMode : unsigned char {
    kModel,     // the chip models each CPU's virtual timer and owns CNTV_*/CNTVCT/CNTFRQ
    kHardware,  // the CPU's own timer runs; its owner reports PPI 27 with set_irq_level
  };

  static constexpr unsigned kMaxCpus = Gicv3State::kMaxCpus;
  static constexpr uint64_t kGicdSize = Gicv3Distributor::kSize;
  static constexpr uint64_t kGicrStride = Gicv3Redistributors::kFrameStride;
  static constexpr uint32_t kFirstSpi = 32;
  static constexpr uint32_t kSpiCount = Gicv3State::kSpiCount;
  static constexpr uint32_t kVirtualTimerPpi = 27;  // QEMU virt's ARCH_TIMER_VIRT_IRQ + 16

  // The line number of PPI `intid` (16..31) of CPU `cpu`: past the INTIDs and special IDs.
  static constexpr uint32_t kPpiLineBase = Gicv3State::kPpiLineBase;
  static constexpr uint32_t ppi_line(unsigned cpu, uint32_t intid) {
    return kPpiLineBase + cpu * 32 + intid;
  }

  // `cpu_count` is clamped to 1..kMaxCpus; CPU i has MPIDR affinity 0.0.0.i.
  Gicv3(unsigned cpu_count, GuestClock clock, TimerMode mode);
  Gicv3(const Gicv3&) = delete;
  Gicv3& operator=(const Gicv3&) = delete;

  unsigned cpu_count() const { return m_state.cpu_count(); }

  const char* name() const override { return "gicv3"; }
  uint32_t cpu_lines(unsigned cpu) override;
  uint64_t advance(uint64_t now_ns) override;
  bool sysreg_read(unsigned cpu, uint32_t id, uint64_t& value) override;
  bool sysreg_write(unsigned cpu, uint32_t id, uint64_t value) override;
  void set_irq_level(uint32_t irq, bool level) override;

  // The register frames, for tests and for backends that forward accesses themselves.
  Gicv3Distributor& distributor() { return m_gicd; }
  Gicv3Redistributors& redistributors() { return m_gicr; }
  // The frames as a board maps them (every access touches the chip); the redistributor
  // frame's size covers cpu_count() CPUs.
  Device& distributor_frame() { return m_gicd_frame; }
  Device& redistributor_frame() { return m_gicr_frame; }
  uint64_t redistributor_size() const { return m_gicr.size(); }

 private:
  Gicv3State m_state;
  Gicv3Distributor m_gicd{m_state};
  Gicv3Redistributors m_gicr{m_state};
  ChipFrame m_gicd_frame{*this, m_gicd};
  ChipFrame m_gicr_frame{*this, m_gicr};
  Gicv3CpuInterface m_cpuif{m_state};
  TimerMode m_mode;
  std::array<GenericTimer, kMaxCpus> m_timers{};
};

}  // namespace tandem

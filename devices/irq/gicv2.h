// SPDX-License-Identifier: Apache-2.0
// The aarch64 interrupt controller of QEMU 7.2's virt board with gic-version=2: a GICv2
// (IHI 0048B) without the Security Extensions, 128 SPIs, up to 8 CPUs, plus each CPU's
// virtual timer, which the chip models (CNTV_*, CNTVCT, CNTFRQ: for backends that trap them).
// Two register frames, placed by the board: the distributor (GICD) and the CPU interface
// (GICC), both reached by every vCPU at the same address with INTIDs 0..31 and the whole CPU
// interface banked per vCPU.
//
// Interrupt lines (IrqChip::line / set_irq_level): an SPI by its INTID (32..159); a PPI of
// one CPU by ppi_line(cpu, intid). SGIs have no line.
#pragma once

#include <array>
#include <cstdint>

#include "core/irq/irq_chip.h"
#include "devices/irq/gicv2_cpu_interface.h"
#include "devices/irq/gicv2_distributor.h"
#include "devices/irq/gicv3_state.h"
#include "devices/timer/generic_timer.h"

namespace tandem {

class Gicv2 final : public IrqChip {
 public:
  static constexpr unsigned kMaxCpus = Gicv3State::kMaxCpus;
  static constexpr uint32_t kVirtualTimerPpi = 27;  // QEMU virt's ARCH_TIMER_VIRT_IRQ + 16

  static constexpr uint32_t ppi_line(unsigned cpu, uint32_t intid) {
    return Gicv3State::kPpiLineBase + cpu * 32 + intid;
  }

  // `cpu_count` is clamped to 1..kMaxCpus.
  Gicv2(unsigned cpu_count, GuestClock clock);
  Gicv2(const Gicv2&) = delete;
  Gicv2& operator=(const Gicv2&) = delete;

  const char* name() const override { return "gicv2"; }
  uint32_t cpu_lines(unsigned cpu) override;
  uint64_t advance(uint64_t now_ns) override;
  bool sysreg_read(unsigned cpu, uint32_t id, uint64_t& value) override;
  bool sysreg_write(unsigned cpu, uint32_t id, uint64_t value) override;
  void set_irq_level(uint32_t irq, bool level) override;

  // The frames as a board maps them (every access touches the chip).
  Device& distributor_frame() { return m_gicd_frame; }
  Device& cpu_interface_frame() { return m_gicc_frame; }

 private:
  Gicv3State m_state;
  Gicv2Distributor m_gicd{m_state, *this};
  Gicv2CpuInterface m_gicc{m_state, *this};
  ChipFrame m_gicd_frame{*this, m_gicd};
  ChipFrame m_gicc_frame{*this, m_gicc};
  std::array<GenericTimer, kMaxCpus> m_timers{};
};

}  // namespace tandem

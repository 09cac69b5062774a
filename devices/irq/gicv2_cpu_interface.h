// SPDX-License-Identifier: Apache-2.0
// The GICv2 CPU interface frame, GICC_* (IHI 0048B 4.4), banked: each vCPU reaches its own
// interface at the same address (the accessing vCPU is the chip's accessor()). Without the
// Security Extensions, as QEMU 7.2's virt board with gic-version=2.
//
// The registers are views of the GICv3 CPU interface model (gicv3_cpu_interface.h) over the
// same state: GICC_PMR is ICC_PMR_EL1, GICC_IAR is ICC_IAR0_EL1 and so on, so priorities,
// preemption and active priorities behave as there. What GICv2 adds:
// - GICC_IAR / HPPIR report an SGI's sending CPU in [12:10] (4.4.4), GICC_EOIR takes it back;
// - Group 0 is signalled as IRQ unless GICC_CTLR.FIQEn (3.3 "Interrupt grouping");
// - with GICC_CTLR.AckCtl, GICC_IAR also acknowledges a Group 1 interrupt.
//
//   0x00 CTLR  0x04 PMR  0x08 BPR  0x0C IAR  0x10 EOIR  0x14 RPR  0x18 HPPIR  0x1C ABPR
//   0x20 AIAR  0x24 AEOIR  0x28 AHPPIR  0xD0 APR0  0xE0 NSAPR0  0xFC IIDR  0x1000 DIR
#pragma once

#include <array>
#include <cstdint>

#include "core/bus/device.h"
#include "core/irq/irq_chip.h"
#include "devices/irq/gicv3_cpu_interface.h"
#include "devices/irq/gicv3_state.h"

namespace tandem {

class Gicv2CpuInterface final : public Device {
 public:
  static constexpr uint64_t kSize = 0x2000;

  static constexpr uint64_t GICC_CTLR = 0x00;
  static constexpr uint64_t GICC_PMR = 0x04;
  static constexpr uint64_t GICC_BPR = 0x08;
  static constexpr uint64_t GICC_IAR = 0x0C;
  static constexpr uint64_t GICC_EOIR = 0x10;
  static constexpr uint64_t GICC_RPR = 0x14;
  static constexpr uint64_t GICC_HPPIR = 0x18;
  static constexpr uint64_t GICC_ABPR = 0x1C;
  static constexpr uint64_t GICC_AIAR = 0x20;
  static constexpr uint64_t GICC_AEOIR = 0x24;
  static constexpr uint64_t GICC_AHPPIR = 0x28;
  static constexpr uint64_t GICC_APR0 = 0xD0;
  static constexpr uint64_t GICC_NSAPR0 = 0xE0;
  static constexpr uint64_t GICC_IIDR = 0xFC;
  static constexpr uint64_t GICC_DIR = 0x1000;

  // GICC_CTLR without the Security Extensions (4.4.1).
  static constexpr uint32_t CTLR_EnableGrp0 = 1u << 0;
  static constexpr uint32_t CTLR_EnableGrp1 = 1u << 1;
  static constexpr uint32_t CTLR_AckCtl = 1u << 2;
  static constexpr uint32_t CTLR_FIQEn = 1u << 3;
  static constexpr uint32_t CTLR_CBPR = 1u << 4;
  static constexpr uint32_t CTLR_EOImode = 1u << 9;

  Gicv2CpuInterface(Gicv3State& state, const IrqChip& chip) : m_state(state), m_chip(chip) {}
  Gicv2CpuInterface(const Gicv2CpuInterface&) = delete;
  Gicv2CpuInterface& operator=(const Gicv2CpuInterface&) = delete;

  const char* name() const override { return "gicv2-cpu"; }
  uint64_t read(uint64_t offset, unsigned size) override;
  void write(uint64_t offset, unsigned size, uint64_t value) override;
  bool register_name(uint64_t offset, bool write, RegisterName& out) const override;

  // cpu_irq::kIrq / kFiq when `cpu` has an interrupt to take.
  uint32_t lines(unsigned cpu);

 private:
  uint32_t acknowledge(unsigned cpu, uint32_t id);
  uint32_t with_source(unsigned cpu, uint32_t intid);
  void write_ctlr(unsigned cpu, uint32_t value);
  uint64_t icc_read(unsigned cpu, uint32_t id);

  Gicv3State& m_state;
  const IrqChip& m_chip;
  Gicv3CpuInterface m_icc{m_state};
  std::array<uint32_t, Gicv3State::kMaxCpus> m_ctlr{};
};

}  // namespace tandem

// SPDX-License-Identifier: Apache-2.0
// The GICv2 distributor frame, GICD_* (IHI 0048B 4.3), as QEMU 7.2's virt board has it with
// gic-version=2: no Security Extensions, 128 SPIs (ITLinesNumber 4), up to 8 CPUs. INTIDs
// 0..31 are banked: each CPU sees its own SGIs and PPIs (the accessing vCPU is the chip's
// accessor()).
//
//   0x000 CTLR   0x004 TYPER   0x008 IIDR   0x080..0x7FF, 0xC00..0xCFF per-interrupt registers
//   0x800..0x89F ITARGETSR (bytes; 0..31 read-only)   0xF00 SGIR   0xFD0..0xFFC ID registers
#pragma once

#include <cstdint>

#include "core/bus/device.h"
#include "core/irq/irq_chip.h"
#include "devices/irq/gicv3_state.h"

namespace tandem {

class Gicv2Distributor final : public Device {
 public:
  static constexpr uint64_t kSize = 0x1000;

  static constexpr uint64_t GICD_CTLR = 0x000;
  static constexpr uint64_t GICD_TYPER = 0x004;
  static constexpr uint64_t GICD_IIDR = 0x008;
  static constexpr uint64_t GICD_ITARGETSR = 0x800;
  static constexpr uint64_t GICD_SGIR = 0xF00;
  static constexpr uint64_t GICD_PIDR2 = 0xFE8;

  Gicv2Distributor(Gicv3State& state, const IrqChip& chip) : m_state(state), m_chip(chip) {}
  Gicv2Distributor(const Gicv2Distributor&) = delete;
  Gicv2Distributor& operator=(const Gicv2Distributor&) = delete;

  const char* name() const override { return "gicv2-dist"; }
  uint64_t read(uint64_t offset, unsigned size) override;
  void write(uint64_t offset, unsigned size, uint64_t value) override;
  bool register_name(uint64_t offset, bool write, RegisterName& out) const override;

 private:
  uint32_t read32(uint64_t offset);
  void send_sgi(unsigned from, uint32_t value);

  Gicv3State& m_state;
  const IrqChip& m_chip;
};

}  // namespace tandem

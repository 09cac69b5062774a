// SPDX-License-Identifier: Apache-2.0
// The GICv3 distributor frame, GICD_* (IHI 0069 12.9), as QEMU 7.2's virt board has it with
// one security state: DS and ARE read as one, 128 SPIs (ITLinesNumber 4), no LPIs, no
// GICD_SGIR (SGIs come from ICC_SGI*R_EL1).
//
//   0x0000 CTLR   0x0004 TYPER   0x0008 IIDR   0x0080..0x0CFF per-interrupt registers
//   0x6100..0x64FF IROUTER<32..159> (64-bit)   0xFFD0..0xFFFC ID registers
#pragma once

#include <cstdint>

#include "core/bus/device.h"
#include "devices/irq/gicv3_state.h"

namespace tandem {

class Gicv3Distributor final : public Device {
 public:
  static constexpr uint64_t kSize = 0x1'0000;

  static constexpr uint64_t GICD_CTLR = 0x0000;
  static constexpr uint64_t GICD_TYPER = 0x0004;
  static constexpr uint64_t GICD_IIDR = 0x0008;
  static constexpr uint64_t GICD_IROUTER = 0x6000;  // + 8 * INTID
  static constexpr uint64_t GICD_PIDR2 = 0xFFE8;

  explicit Gicv3Distributor(Gicv3State& state) : m_state(state) {}
  Gicv3Distributor(const Gicv3Distributor&) = delete;
  Gicv3Distributor& operator=(const Gicv3Distributor&) = delete;

  const char* name() const override { return "gicv3-dist"; }
  uint64_t read(uint64_t offset, unsigned size) override;
  void write(uint64_t offset, unsigned size, uint64_t value) override;
  bool register_name(uint64_t offset, bool write, RegisterName& out) const override;

 private:
  uint32_t read32(uint64_t offset);
  void write32(uint64_t offset, uint32_t value);
  uint64_t* router(uint64_t offset);

  Gicv3State& m_state;
};

}  // namespace tandem

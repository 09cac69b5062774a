// SPDX-License-Identifier: Apache-2.0
// The GICv3 redistributors (IHI 0069 12.10 and 12.11), one 128 KiB region per CPU laid end to
// end as on QEMU's virt board: the RD_base frame, then the SGI_base frame at +64 KiB.
//
//   RD_base   0x0000 CTLR  0x0004 IIDR  0x0008 TYPER (64-bit)  0x0014 WAKER  0xFFD0.. IDs
//   SGI_base  0x0080..0x0CFF per-interrupt registers for SGIs 0..15 and PPIs 16..31
//
// No LPIs: GICR_CTLR, PROPBASER and PENDBASER read as zero.
#pragma once

#include <cstdint>

#include "core/bus/device.h"
#include "devices/irq/gicv3_state.h"

namespace tandem {

class Gicv3Redistributors final : public Device {
 public:
  static constexpr uint64_t kFrameStride = 0x2'0000;
  static constexpr uint64_t kSgiFrame = 0x1'0000;

  static constexpr uint64_t GICR_CTLR = 0x0000;
  static constexpr uint64_t GICR_IIDR = 0x0004;
  static constexpr uint64_t GICR_TYPER = 0x0008;
  static constexpr uint64_t GICR_WAKER = 0x0014;
  static constexpr uint64_t GICR_PIDR2 = 0xFFE8;

  // GICR_TYPER fields (12.10.33); CommonLPIAff = 1 as QEMU reports it.
  static constexpr uint64_t TYPER_Last = 1u << 4;
  static constexpr uint64_t TYPER_CommonLPIAff = 1u << 24;
  // GICR_WAKER (12.10.35).
  static constexpr uint32_t WAKER_ProcessorSleep = 1u << 1;
  static constexpr uint32_t WAKER_ChildrenAsleep = 1u << 2;

  explicit Gicv3Redistributors(Gicv3State& state) : m_state(state) {}
  Gicv3Redistributors(const Gicv3Redistributors&) = delete;
  Gicv3Redistributors& operator=(const Gicv3Redistributors&) = delete;

  uint64_t size() const { return m_state.cpu_count() * kFrameStride; }

  const char* name() const override { return "gicv3-redist"; }
  uint64_t read(uint64_t offset, unsigned size) override;
  void write(uint64_t offset, unsigned size, uint64_t value) override;
  bool register_name(uint64_t offset, bool write, RegisterName& out) const override;

 private:
  uint64_t typer(unsigned cpu) const;
  uint32_t read_rd(unsigned cpu, uint64_t offset);

  Gicv3State& m_state;
};

}  // namespace tandem

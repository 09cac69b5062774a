// SPDX-License-Identifier: Apache-2.0
// The GICv3 CPU interface system registers, ICC_*_EL1 (IHI 0069 12.2), as a guest at EL1 sees
// them on QEMU 7.2's cortex-a72 with one security state: 5 priority bits (ICC_CTLR_EL1.PRIbits
// 4, PMR bits [2:0] RAZ), group 0 signalled as FIQ and group 1 as IRQ, system-register access
// only (ICC_SRE_EL1 reads 0x7).
//
// Running priority follows the active-priority registers, as the architecture's pseudocode
// does (IHI 0069 4.8): acknowledging an interrupt sets the bit for its group priority in
// ICC_AP0R0/AP1R0_EL1, and a priority drop (EOIR) clears the lowest set bit.
#pragma once

#include <cstdint>

#include "devices/irq/gicv3_state.h"

namespace tandem {

class Gicv3CpuInterface {
 public:
  // ICC_CTLR_EL1 (12.2.6): the writable bits and the fixed ones (A3V, IDbits = 1 and PRIbits
  // = 4 as QEMU reports them).
  static constexpr uint32_t CTLR_CBPR = 1u << 0;
  static constexpr uint32_t CTLR_EOImode = 1u << 1;
  static constexpr uint32_t kCtlrFixed = (1u << 15) | (1u << 11) | (4u << 8);
  static constexpr uint64_t kSre = 0x7;  // SRE, DFB, DIB

  explicit Gicv3CpuInterface(Gicv3State& state) : m_state(state) {}

  // ICC_* registers of `cpu` (< cpu_count); false for any other register id.
  bool read(unsigned cpu, uint32_t id, uint64_t& value);
  bool write(unsigned cpu, uint32_t id, uint64_t value);

  // cpu_irq::kIrq / kFiq when the highest-priority pending interrupt would be acknowledged.
  uint32_t lines(unsigned cpu);

 private:
  uint8_t group_priority_mask(unsigned cpu, unsigned group);
  uint8_t running_priority(unsigned cpu);
  bool can_preempt(unsigned cpu, const GicPendingIrq& irq);
  uint64_t acknowledge(unsigned cpu, unsigned group);
  uint64_t highest_pending_of(unsigned cpu, unsigned group);
  void end_of_interrupt(unsigned cpu, unsigned group, uint64_t value);
  void deactivate(unsigned cpu, uint64_t value);
  void write_bpr(unsigned cpu, unsigned group, uint64_t value);
  void generate_sgi(unsigned cpu, uint64_t value, unsigned target_group);

  Gicv3State& m_state;
};

}  // namespace tandem

// SPDX-License-Identifier: Apache-2.0
// Interrupt delivery for one vCPU through the GIC's list registers, with the Gicv3 model
// (devices/irq/gicv3.h) as the distributor and redistributors the guest programs:
//
//   model (GICD/GICR state)  --ack-->  ICH_LR<n>_EL2 (pending)  --guest IAR/EOI-->  retired
//        ^  ^                                                                          |
//        |  +-------------------- ICC_DIR_EL1 (deactivate) in the model <--------------+
//        +-- PPI 27 level <-- physical vtimer PPI 27, acknowledged at EL2, HW-linked in the LR
//
// The model's own CPU interface is the hypervisor's, not the guest's: priority mask open,
// both groups on, EOImode 1, and every acknowledge followed by a priority drop, so the model
// hands out every pending interrupt and only remembers which are active (in a list register).
// The guest's ICC_* registers are the hardware virtual interface (ICH_VMCR_EL2 holds its
// PMR, group enables, BPRs), which orders the listed interrupts by priority itself.
#pragma once

#include <cstdint>

#include "backends/baremetal/aarch64/gic_regs.h"

namespace tandem {
class IrqChip;
}

namespace tandem::baremetal::aarch64 {

class Vgic {
 public:
  static constexpr unsigned kMaxLrs = 16;

  Vgic() = default;
  // `chip` may be null (no interrupt controller: nothing is delivered).
  Vgic(IrqChip* chip, unsigned cpu, unsigned lrs);

  struct Entry {
    bool deadline = false;  // the hypervisor's deadline timer (CNTHP) fired
    unsigned listed = 0;    // interrupts newly handed to the guest
  };

  // Before each guest entry: retire what the guest finished, take the physical interrupts
  // that arrived, list what the model has pending.
  Entry prepare_entry();

 private:
  void retire();
  bool take_physical();
  unsigned fill();

  IrqChip* m_chip = nullptr;
  unsigned m_cpu = 0;
  unsigned m_lrs = 0;
  uint64_t m_shadow[kMaxLrs] = {};  // what each list register was last written with
  // The physical vtimer PPI was acknowledged (priority dropped, still active) and raised the
  // model's line; it is deactivated by the guest through a HW list register, or here.
  bool m_vtimer_held = false;
  bool m_vtimer_listed = false;
  bool m_overflow = false;
  uint32_t m_seen_generation = ~0u;  // the model's generation() after the last fill()
};

}  // namespace tandem::baremetal::aarch64

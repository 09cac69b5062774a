// SPDX-License-Identifier: Apache-2.0
// The aarch64 bare-metal Machine (core/vcpu/vcpu.h): configures this CPU's EL2 for one VM and
// activates the address space's stage-2 table (built by the core: Stage2Table::hw_root() is
// VTTBR_EL2, hw_control() VTCR_EL2), and brings up the real GIC's physical and virtual CPU
// interfaces for the interrupt delivery (vgic.h). One vCPU, run on the CPU the image booted on.
#pragma once

#include "backends/baremetal/aarch64/vcpu.h"
#include "core/base/result.h"
#include "core/vcpu/vcpu.h"

namespace tandem::baremetal::aarch64 {

class El2Machine {
 public:
  using Vcpu = El2Vcpu;
  // The guest runs on the CPU's own EL1 virtual timer; the Gicv3 model only sees its PPI.
  static constexpr bool kHardwareTimer = true;

  // kUnsupported for another guest architecture, more than one vCPU (secondary CPUs are
  // parked at boot), or a stage-2 geometry this CPU does not implement.
  [[nodiscard]] static Result<El2Machine> create(const MachineSetup& setup);
  [[nodiscard]] Result<El2Vcpu> create_vcpu(unsigned id);

 private:
  El2Machine(const MachineSetup& setup, unsigned lrs)
      : m_space(&setup.address_space),
        m_exits(&setup.exits),
        m_chip(setup.irq_chip),
        m_clock(setup.clock),
        m_lrs(lrs) {}

  AddressSpace* m_space;
  VmExits* m_exits;
  IrqChip* m_chip;
  GuestClock m_clock;
  unsigned m_lrs;
  bool m_vcpu_created = false;
};

static_assert(Machine<El2Machine>);

}  // namespace tandem::baremetal::aarch64

// SPDX-License-Identifier: Apache-2.0
// The riscv64 bare-metal Machine: sets up this hart's HS-mode virtualization CSRs for one VM
// and points hgatp at the address space's G-stage table (Sv39x4 / Sv48x4, built by the core's
// Stage2Table; Stage2Table::hw_root() is the hgatp value). One vCPU per hart, on the hart the
// image runs on.
#pragma once

#include <cstdint>

#include "backends/baremetal/riscv64/hs_vcpu.h"
#include "core/base/result.h"
#include "core/vcpu/vcpu.h"

namespace tandem::baremetal::riscv64 {

class HsMachine {
 public:
  using Vcpu = HsVcpu;

  // kUnsupported for another guest architecture, more than one vCPU (secondary harts would
  // have to be started through SBI HSM first), or a G-stage mode this hart rejects (hgatp is
  // WARL: an unsupported MODE does not stick).
  [[nodiscard]] static Result<HsMachine> create(const MachineSetup& setup);

  [[nodiscard]] Result<HsVcpu> create_vcpu(unsigned id);

 private:
  HsMachine(const MachineSetup& setup, uint64_t hgatp, uint64_t hstatus)
      : m_as(&setup.address_space),
        m_exits(&setup.exits),
        m_chip(setup.irq_chip),
        m_clock(setup.clock),
        m_hgatp(hgatp),
        m_hstatus(hstatus) {}

  AddressSpace* m_as;
  VmExits* m_exits;
  IrqChip* m_chip;
  GuestClock m_clock;
  uint64_t m_hgatp;
  uint64_t m_hstatus;
  bool m_vcpu_created = false;
};

static_assert(Machine<HsMachine>);

}  // namespace tandem::baremetal::riscv64

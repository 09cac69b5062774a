// SPDX-License-Identifier: Apache-2.0
// The aarch64 bare-metal Machine (core/vcpu/vcpu.h): configures this CPU's EL2 for one VM and
// activates the address space's stage-2 table (built by the core: Stage2Table::hw_root() is
// VTTBR_EL2, hw_control() VTCR_EL2). One vCPU, run on the CPU the image booted on.
#pragma once

#include "backends/baremetal/aarch64/vcpu.h"
#include "core/base/result.h"
#include "core/vcpu/vcpu.h"

namespace tandem::baremetal::aarch64 {

class El2Machine {
 public:
  using Vcpu = El2Vcpu;

  // kUnsupported for another guest architecture, more than one vCPU (secondary CPUs are
  // parked at boot), or a stage-2 geometry this CPU does not implement.
  [[nodiscard]] static Result<El2Machine> create(const MachineSetup& setup);
  [[nodiscard]] Result<El2Vcpu> create_vcpu(unsigned id);

 private:
  El2Machine(AddressSpace& space, VmExits& exits) : m_space(&space), m_exits(&exits) {}

  AddressSpace* m_space;
  VmExits* m_exits;
  bool m_vcpu_created = false;
};

static_assert(Machine<El2Machine>);

}  // namespace tandem::baremetal::aarch64

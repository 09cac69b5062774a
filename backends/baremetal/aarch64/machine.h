// SPDX-License-Identifier: Apache-2.0
// The aarch64 bare-metal Machine (core/vcpu/vcpu.h): configures this CPU's EL2 for one VM and
// activates the address space's stage-2 table (built by the core: Stage2Table::hw_root() is
// VTTBR_EL2, hw_control() VTCR_EL2), and brings up the real GIC's physical and virtual CPU
// interfaces for the interrupt delivery (vgic.h). vCPU i runs on physical CPU i (MPIDR Aff0 = i):
// create() sets up the boot CPU, init_cpu() each secondary one (common/run_smp.h).
#pragma once

#include "backends/baremetal/aarch64/vcpu.h"
#include "core/base/result.h"
#include "core/vcpu/vcpu.h"

namespace tandem::baremetal::aarch64 {

class HypMachine {
 public:
  using Vcpu = HypVcpu;
  static constexpr unsigned kMaxCpus = 8;
  // The guest runs on the CPU's own EL1 virtual timer; the Gicv3 model only sees its PPI.
  static constexpr MachineTraits kTraits{.thread_per_vcpu = false,
                                         .hardware_timer = true,
                                         .per_cpu_setup = true,
                                         .ram_on_demand = true};

  // kUnsupported for another guest architecture, more vCPUs than Vgic handles, or a stage-2
  // geometry this CPU does not implement.
  [[nodiscard]] static Result<HypMachine> create(const MachineSetup& setup);
  [[nodiscard]] Result<HypVcpu> create_vcpu(unsigned id);
  IrqController* irq_controller() { return nullptr; }
  // On secondary physical CPU `index`, before it runs vCPU `index`: what create() did for the
  // boot CPU (EL2 traps, the shared stage-2 table, this CPU's GIC interfaces). Panics on a
  // CPU that cannot run the table (a board with mixed CPUs).
  static void init_cpu(unsigned index, AddressSpace& space);

 private:
  HypMachine(const MachineSetup& setup, unsigned lrs)
      : m_space(&setup.address_space),
        m_exits(&setup.exits),
        m_chip(setup.irq_chip),
        m_clock(setup.clock),
        m_cpus(setup.cpu_count),
        m_lrs(lrs) {}

  AddressSpace* m_space;
  VmExits* m_exits;
  IrqChip* m_chip;
  GuestClock m_clock;
  unsigned m_cpus;
  unsigned m_lrs;
  uint32_t m_vcpus_created = 0;  // bit per vCPU id
};

static_assert(Machine<HypMachine>);

}  // namespace tandem::baremetal::aarch64

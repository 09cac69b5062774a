// SPDX-License-Identifier: Apache-2.0
// The riscv64 bare-metal Machine: sets up this hart's HS-mode virtualization CSRs for one VM
// and points hgatp at the address space's G-stage table (Sv39x4 / Sv48x4, built by the core's
// Stage2Table; Stage2Table::hw_root() is the hgatp value). One vCPU per hart: vCPU i on
// physical CPU i (0: the boot hart; arch::start_cpu maps the others to hart ids).
#pragma once

#include <cstdint>

#include "backends/baremetal/riscv64/vcpu.h"
#include "core/base/result.h"
#include "core/vcpu/vcpu.h"

namespace tandem::baremetal::riscv64 {

class HypMachine {
 public:
  using Vcpu = HypVcpu;
  static constexpr unsigned kMaxCpus = 8;
  // The guest's timer is SBI's, modelled by the interrupt chip (HS timer underneath).
  static constexpr MachineTraits kTraits{.thread_per_vcpu = false,
                                         .hardware_timer = false,
                                         .per_cpu_setup = true,
                                         .ram_on_demand = true};

  // kUnsupported for another guest architecture, more than kMaxCpus vCPUs, or a G-stage
  // mode this hart rejects (hgatp is WARL: an unsupported MODE does not stick).
  [[nodiscard]] static Result<HypMachine> create(const MachineSetup& setup);
  // On secondary hart `index` (common/run_smp.h), before it runs vCPU `index`: the same
  // hypervisor CSRs create() set on the boot hart. Panics on a hart that rejects them.
  static void init_cpu(unsigned index, AddressSpace& space);

  [[nodiscard]] Result<HypVcpu> create_vcpu(unsigned id);
  IrqController* irq_controller() { return nullptr; }

 private:
  HypMachine(const MachineSetup& setup, uint64_t hgatp, uint64_t hstatus)
      : m_as(&setup.address_space),
        m_exits(&setup.exits),
        m_chip(setup.irq_chip),
        m_clock(setup.clock),
        m_cpus(setup.cpu_count),
        m_hgatp(hgatp),
        m_hstatus(hstatus) {}

  AddressSpace* m_as;
  VmExits* m_exits;
  IrqChip* m_chip;
  GuestClock m_clock;
  unsigned m_cpus;
  uint64_t m_hgatp;
  uint64_t m_hstatus;
  uint32_t m_vcpus_created = 0;  // bit per vCPU id
  PendingFences m_fences;        // the vCPUs' SBI remote fences
};

static_assert(Machine<HypMachine>);

}  // namespace tandem::baremetal::riscv64

// SPDX-License-Identifier: Apache-2.0
#include "backends/baremetal/aarch64/machine.h"

#include "backends/baremetal/aarch64/el2_setup.h"
#include "backends/baremetal/aarch64/gic_hw.h"
#include "backends/baremetal/aarch64/stage2.h"
#include "backends/baremetal/common/panic.h"
#include "core/base/log.h"
#include "core/mm/address_space.h"

namespace tandem::baremetal::aarch64 {

Result<HypMachine> HypMachine::create(const MachineSetup& setup) {
  if (setup.arch != Arch::kAarch64) return Error(Status::kUnsupported);
  // One physical CPU per vCPU, found by MPIDR Aff0 (16 SGI targets in ICC_SGI1R_EL1).
  if (setup.cpu_count == 0 || setup.cpu_count > kMaxCpus) {
    TLOG_ERROR("the aarch64 bare-metal backend runs 1..%u vCPUs, not %u", kMaxCpus,
               setup.cpu_count);
    return Error(Status::kUnsupported);
  }
  configure_el2();
  TRY(activate_stage2(setup.address_space.stage2()));
  hyp_timer_set(0);
  const unsigned lrs = setup.irq_chip != nullptr ? gic_init_cpu(0) : 0;
  TLOG_DEBUG("GICv3 virtual CPU interface: %u list registers", lrs);
  return HypMachine(setup, lrs);
}

Result<HypVcpu> HypMachine::create_vcpu(unsigned id) {
  if (id >= m_cpus || (m_vcpus_created & (1u << id)) != 0) return Error(Status::kUnsupported);
  m_vcpus_created |= 1u << id;
  return HypVcpu(id, m_cpus, *m_space, *m_exits, m_chip, m_clock, m_lrs);
}

void HypMachine::init_cpu(unsigned index, AddressSpace& space) {
  configure_el2();
  if (auto r = activate_stage2(space.stage2()); !r) {
    panic("CPU %u cannot use the stage-2 table: %s", index, to_string(r.error()));
  }
  hyp_timer_set(0);
  (void)gic_init_cpu(index);
}

}  // namespace tandem::baremetal::aarch64

// SPDX-License-Identifier: Apache-2.0
#include "backends/baremetal/aarch64/machine.h"

#include "backends/baremetal/aarch64/el2_setup.h"
#include "backends/baremetal/aarch64/gic_hw.h"
#include "backends/baremetal/aarch64/stage2.h"
#include "core/base/log.h"
#include "core/mm/address_space.h"

namespace tandem::baremetal::aarch64 {

Result<El2Machine> El2Machine::create(const MachineSetup& setup) {
  if (setup.arch != Arch::kAarch64) return Error(Status::kUnsupported);
  if (setup.cpu_count != 1) {
    TLOG_ERROR("the aarch64 bare-metal backend runs one vCPU, not %u", setup.cpu_count);
    return Error(Status::kUnsupported);
  }
  configure_el2();
  TRY(activate_stage2(setup.address_space.stage2()));
  hyp_timer_set(0);
  const unsigned lrs = setup.irq_chip != nullptr ? gic_init_cpu(0) : 0;
  TLOG_DEBUG("GICv3 virtual CPU interface: %u list registers", lrs);
  return El2Machine(setup, lrs);
}

Result<El2Vcpu> El2Machine::create_vcpu(unsigned id) {
  if (m_vcpu_created || id != 0) return Error(Status::kUnsupported);
  m_vcpu_created = true;
  return El2Vcpu(id, *m_space, *m_exits, m_chip, m_clock, m_lrs);
}

}  // namespace tandem::baremetal::aarch64

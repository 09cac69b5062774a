// SPDX-License-Identifier: Apache-2.0
#include "backends/baremetal/common/smp.h"

#include "backends/baremetal/common/arch.h"
#include "core/irq/irq_chip.h"
#include "core/vm/vm_exits.h"

namespace tandem::baremetal {
namespace {

SecondaryMain g_secondary_main = nullptr;

}  // namespace

void set_secondary_main(SecondaryMain fn) {
  __atomic_store_n(&g_secondary_main, fn, __ATOMIC_RELEASE);
}

extern "C" [[noreturn]] void baremetal_secondary_start(uint64_t index) {
  const SecondaryMain fn = __atomic_load_n(&g_secondary_main, __ATOMIC_ACQUIRE);
  if (fn != nullptr) fn(static_cast<unsigned>(index));
  arch::park();
}

uint32_t kick_targets(VmExits& exits, IrqChip* chip, unsigned cpus, unsigned self, bool all) {
  uint32_t targets = 0;
  VmExits::Guard guard(exits);
  for (unsigned i = 0; i < cpus; i++) {
    if (i != self && (all || (chip != nullptr && chip->cpu_lines(i) != 0))) targets |= 1u << i;
  }
  return targets;
}

}  // namespace tandem::baremetal

// SPDX-License-Identifier: Apache-2.0
#include "backends/emu/emu_coherence.h"

#include "backends/emu/emu_cpu.h"

namespace tandem::emu {

void flush_peers(EmuCpu& self, uint64_t mask, uint32_t what) {
  if (self.peers == nullptr) return;
  const std::vector<EmuCpu*>& cpus = self.peers->cpus;
  for (unsigned i = 0; i < cpus.size() && i < 64; ++i) {
    if (i == self.cpu_id || ((mask >> i) & 1) == 0 || cpus[i] == nullptr) continue;
    cpus[i]->pending_flush.fetch_or(what);
  }
}

void take_flushes(EmuCpu& cpu) {
  const uint32_t what = cpu.pending_flush.exchange(0);
  if ((what & kFlushTranslations) != 0) {
    if (cpu.ops->drop_translations != nullptr) {
      cpu.ops->drop_translations(cpu);
    } else {
      uc_ctl_flush_tb(cpu.uc);
    }
  }
  if ((what & kFlushTlb) != 0) uc_ctl_flush_tlb(cpu.uc);
}

}  // namespace tandem::emu

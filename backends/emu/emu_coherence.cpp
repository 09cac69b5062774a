// SPDX-License-Identifier: Apache-2.0
#include "backends/emu/emu_coherence.h"

#include "backends/emu/emu_cpu.h"
#include "core/mm/address_space.h"

namespace tandem::emu {
namespace {

template <typename Ask>
void for_each_peer(EmuCpu& self, uint64_t mask, Ask ask) {
  if (self.peers == nullptr) return;
  const std::vector<EmuCpu*>& cpus = self.peers->cpus;
  for (unsigned i = 0; i < cpus.size() && i < 64; ++i) {
    if (i == self.cpu_id || ((mask >> i) & 1) == 0 || cpus[i] == nullptr) continue;
    ask(*cpus[i]);
  }
}

void drop_all_translations(EmuCpu& cpu) {
  if (cpu.ops->drop_translations != nullptr) {
    cpu.ops->drop_translations(cpu);
  } else {
    cpu.code.drop(cpu.uc);
  }
}

}  // namespace

void flush_peers(EmuCpu& self, uint64_t mask, uint32_t what) {
  for_each_peer(self, mask, [what](EmuCpu& cpu) { cpu.pending_flush.fetch_or(what); });
}

void flush_peers_code(EmuCpu& self, uint64_t mask, uint64_t pa) {
  const uint64_t page = pa & ~(kCodePageSize - 1);
  for_each_peer(self, mask, [page](EmuCpu& cpu) {
    CodePages& q = cpu.code_drops;
    for (unsigned i = q.count; i-- > 0;)
      if (q.page[i] == page) return;
    if (q.count == kMaxCodePages || cpu.ops->drop_code_pages == nullptr) {
      cpu.pending_flush.fetch_or(kFlushTranslations);
      return;
    }
    q.page[q.count++] = page;
  });
}

bool remove_ram_translations(EmuCpu& cpu) {
  for (const Region& r : cpu.address_space.regions()) {
    if (r.kind == RegionKind::kRam &&
        uc_ctl_remove_cache(cpu.uc, r.base.raw(), r.base.raw() + r.size) != UC_ERR_OK)
      return false;
  }
  return true;
}

void take_flushes(EmuCpu& cpu) {
  const uint32_t what = cpu.pending_flush.exchange(0);
  CodePages& q = cpu.code_drops;
  if ((what & kFlushTranslations) != 0 ||
      (q.count != 0 && !cpu.ops->drop_code_pages(cpu, q.page, q.count))) {
    drop_all_translations(cpu);
  }
  q.count = 0;
  if ((what & kFlushTlb) != 0) uc_ctl_flush_tlb(cpu.uc);
}

}  // namespace tandem::emu

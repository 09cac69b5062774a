// SPDX-License-Identifier: Apache-2.0
#include "core/arch/riscv64/remote_fence.h"

#include <atomic>

#include "core/arch/riscv64/sbi.h"

namespace tandem {

RemoteFence remote_fence_of(uint64_t eid, uint64_t fid, uint64_t hart_mask, uint64_t hart_mask_base,
                            int64_t error) {
  if (eid != SBI_EXT_RFENCE || error != SBI_SUCCESS) return {};
  uint32_t what = 0;
  switch (fid) {
    case SBI_RFENCE_REMOTE_FENCE_I: what = kFenceInstructions; break;
    case SBI_RFENCE_REMOTE_SFENCE_VMA:
    case SBI_RFENCE_REMOTE_SFENCE_VMA_ASID: what = kFenceVsTlb; break;
    default: return {};
  }
  // Chapter 3.1: the SBI accepted the hart list, so the shift loses no selected hart.
  return {hart_mask_base == kSbiHartMaskBaseAll ? ~uint64_t{0} : hart_mask << hart_mask_base, what};
}

// Sequentially consistent on both sides: a hart's enter() stores "in the guest" before it
// reads its fences, post() stores the fences before settled() reads "in the guest", so either
// the target's enter() sees the fences or settled() sees the target in the guest.
uint32_t PendingFences::enter(unsigned hart) {
  std::atomic_ref<uint32_t>(m_in_guest[hart]).store(1);
  return std::atomic_ref<uint32_t>(m_pending[hart]).exchange(0);
}

void PendingFences::leave(unsigned hart) { std::atomic_ref<uint32_t>(m_in_guest[hart]).store(0); }

void PendingFences::post(const RemoteFence& f) {
  for (unsigned h = 0; h < kMaxHarts; h++) {
    if ((f.harts >> h) & 1) std::atomic_ref<uint32_t>(m_pending[h]).fetch_or(f.what);
  }
}

bool PendingFences::settled(unsigned hart) {
  return std::atomic_ref<uint32_t>(m_in_guest[hart]).load() == 0 ||
         std::atomic_ref<uint32_t>(m_pending[hart]).load() == 0;
}

}  // namespace tandem

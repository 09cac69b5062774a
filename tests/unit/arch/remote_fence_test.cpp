// SPDX-License-Identifier: Apache-2.0
// SBI remote fences on harts with translations of their own (SBI spec v2.0, chapter 8): which
// harts an accepted call targets and what they do, and the hand-over between the calling hart
// and its targets.
#include "core/arch/riscv64/remote_fence.h"

#include <gtest/gtest.h>

#include "core/arch/riscv64/sbi.h"

namespace tandem {
namespace {

RemoteFence fence_of(uint64_t fid, uint64_t mask, uint64_t base, int64_t error = SBI_SUCCESS,
                     uint64_t eid = SBI_EXT_RFENCE) {
  return remote_fence_of(eid, fid, mask, base, error);
}

TEST(RemoteFence, CallsTargetTheirHartList) {
  // remote_fence_i (0): instruction fetch; remote_sfence_vma (1) and _asid (2): VS-stage TLB.
  RemoteFence f = fence_of(SBI_RFENCE_REMOTE_FENCE_I, 0b101, 0);
  EXPECT_EQ(f.harts, 0b101u);
  EXPECT_EQ(f.what, kFenceInstructions);
  f = fence_of(SBI_RFENCE_REMOTE_SFENCE_VMA, 0b11, 2);  // harts 2 and 3
  EXPECT_EQ(f.harts, 0b1100u);
  EXPECT_EQ(f.what, kFenceVsTlb);
  f = fence_of(SBI_RFENCE_REMOTE_SFENCE_VMA_ASID, 0, kSbiHartMaskBaseAll);  // every hart
  EXPECT_EQ(f.harts, ~uint64_t{0});
  EXPECT_EQ(f.what, kFenceVsTlb);
}

TEST(RemoteFence, NothingForFailedOrOtherCalls) {
  EXPECT_EQ(fence_of(SBI_RFENCE_REMOTE_SFENCE_VMA, 1, 0, SBI_ERR_INVALID_PARAM).what, 0u);
  EXPECT_EQ(fence_of(SBI_RFENCE_REMOTE_SFENCE_VMA, 1, 0, SBI_SUCCESS, SBI_EXT_IPI).what, 0u);
  // The hfence calls (3..6) are for guests with the H extension.
  for (uint64_t fid = 3; fid <= SBI_RFENCE_REMOTE_HFENCE_VVMA; fid++)
    EXPECT_EQ(fence_of(fid, 1, 0).what, 0u) << fid;
}

TEST(PendingFences, TargetsTakeTheirFencesOnEntryOnce) {
  PendingFences p;
  p.post({0b101, kFenceVsTlb});
  p.post({0b100, kFenceInstructions});
  EXPECT_EQ(p.enter(1), 0u);  // not a target
  p.leave(1);
  EXPECT_EQ(p.enter(0), kFenceVsTlb);
  p.leave(0);
  EXPECT_EQ(p.enter(2), kFenceVsTlb | kFenceInstructions);
  p.leave(2);
  EXPECT_EQ(p.enter(2), 0u);  // done: the next entry is not a flush
  EXPECT_EQ(p.enter(0), 0u);
}

TEST(PendingFences, SettledOnceTheTargetTookItOrIsOutsideTheGuest) {
  PendingFences p;
  // Outside the guest: settled at once, and the fence waits for its next entry.
  p.post({0b10, kFenceVsTlb});
  EXPECT_TRUE(p.settled(1));
  EXPECT_EQ(p.enter(1), kFenceVsTlb);
  // In the guest when the fence is posted: not settled until it leaves or takes it.
  p.post({0b10, kFenceVsTlb});
  EXPECT_FALSE(p.settled(1));
  p.leave(1);
  EXPECT_TRUE(p.settled(1));
  EXPECT_EQ(p.enter(1), kFenceVsTlb);  // leaving did not drop it
  // In the guest, and back in after taking it without being seen outside: settled.
  p.post({0b10, kFenceInstructions});
  EXPECT_FALSE(p.settled(1));
  p.leave(1);
  EXPECT_EQ(p.enter(1), kFenceInstructions);
  EXPECT_TRUE(p.settled(1));
  // Another hart's state is its own.
  p.post({0b10, kFenceVsTlb});
  EXPECT_TRUE(p.settled(0));
  EXPECT_FALSE(p.settled(1));
}

}  // namespace
}  // namespace tandem

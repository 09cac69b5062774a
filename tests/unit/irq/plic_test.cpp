// SPDX-License-Identifier: Apache-2.0
// PLIC behaviour per the RISC-V PLIC specification v1.0.0 and QEMU 7.2's sifive_plic.c.
#include "devices/irq/plic.h"

#include <gtest/gtest.h>

namespace tandem {
namespace {

constexpr uint64_t kPending = 0x1000;

uint64_t enable(unsigned context, unsigned word = 0) { return 0x2000 + 0x80 * context + 4 * word; }
uint64_t threshold(unsigned context) { return 0x20'0000 + 0x1000 * context; }
uint64_t claim(unsigned context) { return threshold(context) + 4; }

class PlicTest : public ::testing::Test {
 protected:
  uint32_t rd(uint64_t offset) { return static_cast<uint32_t>(plic.read(offset, 4)); }
  void wr(uint64_t offset, uint32_t value) { plic.write(offset, 4, value); }
  void priority(uint32_t id, uint32_t value) { wr(4 * id, value); }
  void enable_source(unsigned context, uint32_t id) {
    const uint64_t reg = enable(context, id / 32);
    wr(reg, rd(reg) | 1u << (id % 32));
  }

  Plic plic{2};  // contexts 0..3; hart 0's S context is 1, hart 1's is 3
};

TEST_F(PlicTest, ClaimWithNothingPendingReturnsZero) {
  EXPECT_EQ(rd(claim(1)), 0u);
  EXPECT_FALSE(plic.context_pending(1));
}

TEST_F(PlicTest, ClaimCompleteFlowWithLevelRepend) {
  priority(10, 1);
  enable_source(1, 10);
  plic.set_level(10, true);
  EXPECT_EQ(rd(kPending), 1u << 10);
  EXPECT_TRUE(plic.context_pending(1));

  EXPECT_EQ(rd(claim(1)), 10u);
  EXPECT_EQ(rd(kPending), 0u);  // claim clears pending
  EXPECT_FALSE(plic.context_pending(1));
  EXPECT_EQ(rd(claim(1)), 0u);  // claimed: not offered again

  plic.set_level(10, true);  // the line stays high while the source is claimed
  EXPECT_EQ(rd(kPending), 0u);
  wr(claim(1), 10);  // complete with the line still high: pending again
  EXPECT_EQ(rd(kPending), 1u << 10);
  EXPECT_EQ(rd(claim(1)), 10u);

  plic.set_level(10, false);
  wr(claim(1), 10);
  EXPECT_EQ(rd(kPending), 0u);
  EXPECT_FALSE(plic.context_pending(1));
}

TEST_F(PlicTest, LineLoweredBeforeClaimIsNoLongerPending) {
  priority(5, 1);
  enable_source(1, 5);
  plic.set_level(5, true);
  plic.set_level(5, false);
  EXPECT_EQ(rd(kPending), 0u);
  EXPECT_EQ(rd(claim(1)), 0u);
}

TEST_F(PlicTest, PriorityAndThreshold) {
  priority(3, 2);
  priority(5, 5);
  priority(6, 0);  // priority 0: never interrupts
  for (uint32_t id : {3u, 5u, 6u}) {
    enable_source(1, id);
    plic.set_level(id, true);
  }
  wr(threshold(1), 5);
  EXPECT_FALSE(plic.context_pending(1));  // priority must exceed the threshold
  EXPECT_EQ(rd(claim(1)), 0u);
  wr(threshold(1), 2);
  EXPECT_EQ(rd(claim(1)), 5u);
  EXPECT_EQ(rd(claim(1)), 0u);  // source 3 has priority 2, not above 2
  wr(threshold(1), 0);
  EXPECT_EQ(rd(claim(1)), 3u);
  EXPECT_EQ(rd(claim(1)), 0u);  // source 6 never
  EXPECT_EQ(rd(kPending), 1u << 6);
}

TEST_F(PlicTest, TiesGoToTheLowestId) {
  for (uint32_t id : {70u, 40u, 7u}) {
    priority(id, 3);
    enable_source(1, id);
    plic.set_level(id, true);
  }
  EXPECT_EQ(rd(claim(1)), 7u);
  EXPECT_EQ(rd(claim(1)), 40u);
  EXPECT_EQ(rd(claim(1)), 70u);
  EXPECT_EQ(rd(kPending + 4), 0u);
}

TEST_F(PlicTest, EnablesArePerContext) {
  priority(33, 1);
  enable_source(Plic::supervisor_context(1), 33);
  EXPECT_EQ(Plic::supervisor_context(1), 3u);
  EXPECT_EQ(rd(0x2000 + 0x80 * 3 + 4), 1u << 1);
  plic.set_level(33, true);
  EXPECT_TRUE(plic.context_pending(3));
  EXPECT_FALSE(plic.context_pending(1));
  EXPECT_FALSE(plic.context_pending(2));
  EXPECT_EQ(rd(claim(1)), 0u);
  EXPECT_EQ(rd(claim(3)), 33u);
}

TEST_F(PlicTest, CompleteOfASourceNotClaimedOrNotEnabledIsIgnored) {
  priority(10, 1);
  enable_source(1, 10);
  plic.set_level(10, true);
  wr(claim(1), 10);  // not claimed yet: nothing happens
  EXPECT_EQ(rd(kPending), 1u << 10);
  EXPECT_EQ(rd(claim(1)), 10u);
  wr(claim(3), 10);  // not enabled for context 3: ignored, source stays claimed
  EXPECT_EQ(rd(kPending), 0u);
  EXPECT_EQ(rd(claim(1)), 0u);
  wr(claim(1), 0);  // source 0 and IDs past the last source
  wr(claim(1), 96);
  plic.write(claim(1), 8, 10);  // only 4-byte accesses count
  EXPECT_EQ(rd(kPending), 0u);
  wr(claim(1), 10);
  EXPECT_EQ(rd(kPending), 1u << 10);
}

TEST_F(PlicTest, RegisterFields) {
  priority(1, 0xFF);
  EXPECT_EQ(rd(4), 7u);  // WARL: three priority bits
  priority(95, 6);
  EXPECT_EQ(rd(4 * 95), 6u);
  priority(0, 7);
  EXPECT_EQ(rd(0), 0u);  // source 0 does not exist
  EXPECT_EQ(rd(4 * 96), 0u);

  wr(threshold(1), 7);
  EXPECT_EQ(rd(threshold(1)), 7u);
  wr(threshold(1), 8);  // out of range: kept (QEMU)
  EXPECT_EQ(rd(threshold(1)), 7u);

  wr(enable(1), 0xFFFF'FFFF);
  EXPECT_EQ(rd(enable(1)), 0xFFFF'FFFEu);  // source 0's bit is hardwired to 0
  wr(enable(1, 2), 0xFFFF'FFFF);
  EXPECT_EQ(rd(enable(1, 2)), 0xFFFF'FFFFu);
  wr(enable(1, 3), 1);  // past source 95
  EXPECT_EQ(rd(enable(1, 3)), 0u);

  plic.set_level(1, true);
  wr(kPending, 0);  // read-only
  EXPECT_EQ(rd(kPending), 2u);
  plic.set_level(0, true);  // IDs outside 1..95 are ignored
  plic.set_level(96, true);
  plic.set_level(0xFFFF'FFFF, true);
  EXPECT_EQ(rd(kPending), 2u);
  EXPECT_EQ(rd(kPending + 12), 0u);
}

TEST_F(PlicTest, ContextsPastTheHartsAndOddAccessesReadZero) {
  wr(enable(4), 0xF0);  // context 4 = hart 2's M context: only two harts
  wr(threshold(4), 3);
  EXPECT_EQ(rd(enable(4)), 0u);
  EXPECT_EQ(rd(threshold(4)), 0u);
  EXPECT_FALSE(plic.context_pending(4));
  EXPECT_FALSE(plic.context_pending(1000));

  priority(2, 3);
  EXPECT_EQ(plic.read(8, 8), 0u);
  EXPECT_EQ(plic.read(8, 2), 0u);
  EXPECT_EQ(plic.read(9, 4), 0u);
  plic.write(12, 2, 3);
  plic.write(13, 4, 3);
  plic.write(12, 8, 3);
  EXPECT_EQ(rd(12), 0u);
  EXPECT_EQ(rd(threshold(0) + 8), 0u);  // reserved word of a context
}

TEST_F(PlicTest, MachineContextsWorkAsRegisters) {
  priority(10, 1);
  wr(enable(0), 1u << 10);
  plic.set_level(10, true);
  EXPECT_TRUE(plic.context_pending(0));
  EXPECT_FALSE(plic.context_pending(1));
  EXPECT_EQ(rd(claim(0)), 10u);
}

TEST(Plic, HartCountIsClamped) {
  Plic none(0);
  none.write(0x2000 + 0x80 * 1, 4, 0x2);
  EXPECT_EQ(none.read(0x2000 + 0x80 * 1, 4), 0x2u);  // one hart at least
  none.write(0x2000 + 0x80 * 2, 4, 0x2);
  EXPECT_EQ(none.read(0x2000 + 0x80 * 2, 4), 0u);
  Plic many(100);
  const uint64_t last = 0x2000 + 0x80 * (2 * Plic::kMaxHarts - 1);
  many.write(last, 4, 0x4);
  EXPECT_EQ(many.read(last, 4), 0x4u);
  many.write(last + 0x80, 4, 0x4);
  EXPECT_EQ(many.read(last + 0x80, 4), 0u);
}

}  // namespace
}  // namespace tandem

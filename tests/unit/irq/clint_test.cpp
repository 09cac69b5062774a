// SPDX-License-Identifier: Apache-2.0
// CLINT register map of QEMU 7.2's virt board (ACLINT MSWI + MTIMER), mapped onto S-mode.
#include "devices/timer/clint.h"

#include <gtest/gtest.h>

namespace tandem {
namespace {

// The host clock, set by the tests; guest time 0 is host time `start_ns`.
uint64_t g_fake_host_ns = 0;
uint64_t fake_host_now_ns() { return g_fake_host_ns; }
GuestClock fake_clock(uint64_t start_ns) {
  g_fake_host_ns = start_ns;
  return GuestClock{fake_host_now_ns, start_ns};
}

constexpr uint64_t kStart = 5'000'000'000;  // host time at guest time 0
constexpr uint64_t kMtime = 0xBFF8;
uint64_t mtimecmp(unsigned hart) { return 0x4000 + 8 * hart; }

class ClintTest : public ::testing::Test {
 protected:
  Clint clint{2, fake_clock(kStart)};
};

TEST_F(ClintTest, MtimeCountsGuestTimeAt10MHz) {
  EXPECT_EQ(Clint::kNsPerTick, 100u);
  EXPECT_EQ(clint.read(kMtime, 8), 0u);
  g_fake_host_ns = kStart + 12'345;
  EXPECT_EQ(clint.time_ticks(), 123u);
  EXPECT_EQ(clint.read(kMtime, 8), 123u);
  g_fake_host_ns = kStart + 0x1'2345'6789ull * 100 + 99;
  EXPECT_EQ(clint.read(kMtime, 8), 0x1'2345'6789u);
  EXPECT_EQ(clint.read(kMtime, 4), 0x2345'6789u);
  EXPECT_EQ(clint.read(kMtime + 4, 4), 0x1u);
  clint.write(kMtime, 8, 0);  // read-only: it is the guest clock
  clint.write(kMtime + 4, 4, 0);
  EXPECT_EQ(clint.read(kMtime, 8), 0x1'2345'6789u);
}

TEST_F(ClintTest, MsipRequestsASupervisorSoftwareInterrupt) {
  clint.write(4, 4, 1);  // hart 1
  EXPECT_EQ(clint.read(4, 4), 1u);
  EXPECT_EQ(clint.read(0, 4), 0u);
  EXPECT_FALSE(clint.take_soft_irq(0));
  EXPECT_TRUE(clint.take_soft_irq(1));
  EXPECT_FALSE(clint.take_soft_irq(1));  // once per request
  EXPECT_EQ(clint.read(4, 4), 0u);

  clint.write(0, 4, 1);
  clint.write(0, 4, 0);  // withdrawn before delivery
  EXPECT_FALSE(clint.take_soft_irq(0));
  clint.write(0, 4, 0xFFFF'FFFE);  // only bit 0 counts
  EXPECT_FALSE(clint.take_soft_irq(0));

  clint.send_soft_irq(0);  // SBI send_ipi
  EXPECT_EQ(clint.read(0, 4), 1u);
  EXPECT_TRUE(clint.take_soft_irq(0));

  clint.write(8, 4, 1);  // hart 2 does not exist
  clint.send_soft_irq(2);
  EXPECT_FALSE(clint.take_soft_irq(2));
  EXPECT_EQ(clint.read(8, 4), 0u);
  clint.write(0, 8, 1);  // msip is a 4-byte register
  EXPECT_FALSE(clint.take_soft_irq(0));
}

TEST_F(ClintTest, MtimecmpIsTheSupervisorTimer) {
  EXPECT_EQ(clint.read(mtimecmp(0), 8), ~uint64_t{0});  // nothing armed
  EXPECT_FALSE(clint.timer_pending(0));
  clint.write(mtimecmp(1), 8, 50);
  EXPECT_EQ(clint.read(mtimecmp(1), 8), 50u);
  EXPECT_FALSE(clint.timer_pending(1));
  g_fake_host_ns = kStart + 4'999;
  EXPECT_FALSE(clint.timer_pending(1));
  g_fake_host_ns = kStart + 5'000;
  EXPECT_TRUE(clint.timer_pending(1));
  EXPECT_FALSE(clint.timer_pending(0));
  g_fake_host_ns = kStart + 1'000'000;
  EXPECT_TRUE(clint.timer_pending(1));  // a level until the deadline moves

  clint.set_timer(1, 20'000);  // SBI set_timer: same register
  EXPECT_FALSE(clint.timer_pending(1));
  EXPECT_EQ(clint.read(mtimecmp(1), 8), 20'000u);

  // An RV32-style update through the two halves.
  clint.write(mtimecmp(0), 4, 0xFFFF'FFFF);
  clint.write(mtimecmp(0) + 4, 4, 0);
  EXPECT_EQ(clint.read(mtimecmp(0), 8), 0xFFFF'FFFFu);
  clint.write(mtimecmp(0), 4, 7);
  EXPECT_EQ(clint.read(mtimecmp(0), 4), 7u);
  EXPECT_EQ(clint.read(mtimecmp(0) + 4, 4), 0u);
  EXPECT_TRUE(clint.timer_pending(0));

  clint.write(mtimecmp(2), 8, 1);  // hart 2 does not exist
  clint.set_timer(2, 1);
  EXPECT_EQ(clint.read(mtimecmp(2), 8), 0u);
  EXPECT_FALSE(clint.timer_pending(2));
}

TEST_F(ClintTest, NextDeadlineIsTheEarliestOneAhead) {
  EXPECT_EQ(clint.next_deadline_ns(0), kNoDeadline);
  clint.set_timer(0, 300);  // 30 us
  clint.set_timer(1, 200);  // 20 us
  EXPECT_EQ(clint.next_deadline_ns(0), 20'000u);
  EXPECT_EQ(clint.next_deadline_ns(19'999), 20'000u);
  EXPECT_EQ(clint.next_deadline_ns(20'000), 30'000u);  // due now: no longer ahead
  EXPECT_EQ(clint.next_deadline_ns(30'000), kNoDeadline);
  clint.set_timer(1, kNoDeadline / 100);  // the last tick that fits in ns
  EXPECT_EQ(clint.next_deadline_ns(30'000), kNoDeadline / 100 * 100);
  clint.set_timer(1, kNoDeadline / 100 + 1);
  EXPECT_EQ(clint.next_deadline_ns(30'000), kNoDeadline);
}

TEST_F(ClintTest, OtherWidthsAndOffsetsAreIgnored) {
  g_fake_host_ns = kStart + 100'000;
  EXPECT_EQ(clint.read(kMtime, 2), 0u);
  EXPECT_EQ(clint.read(kMtime, 1), 0u);
  EXPECT_EQ(clint.read(kMtime + 2, 4), 0u);  // unaligned
  EXPECT_EQ(clint.read(kMtime + 4, 8), 0u);
  EXPECT_EQ(clint.read(0xC000, 8), 0u);
  EXPECT_EQ(clint.read(0xFFF8, 8), 0u);
  EXPECT_EQ(clint.read(0x3FFC, 4), 0u);
  clint.write(mtimecmp(0), 2, 1);
  clint.write(mtimecmp(0) + 2, 4, 1);
  clint.write(mtimecmp(0), 1, 1);
  EXPECT_EQ(clint.read(mtimecmp(0), 8), ~uint64_t{0});
}

TEST(Clint, HartCountIsClamped) {
  Clint none(0, fake_clock(0));
  none.send_soft_irq(0);
  EXPECT_TRUE(none.take_soft_irq(0));
  Clint many(100, fake_clock(0));
  many.send_soft_irq(Clint::kMaxHarts - 1);
  many.send_soft_irq(Clint::kMaxHarts);
  EXPECT_TRUE(many.take_soft_irq(Clint::kMaxHarts - 1));
  EXPECT_FALSE(many.take_soft_irq(Clint::kMaxHarts));
}

}  // namespace
}  // namespace tandem

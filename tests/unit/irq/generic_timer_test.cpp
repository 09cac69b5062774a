// SPDX-License-Identifier: Apache-2.0
// The virtual timer model (Arm ARM DDI 0487 D11.2): 62.5 MHz counter = guest ns / 16,
// CNTV_CTL/CVAL/TVAL semantics, the output line and advance() deadlines; then the timer as
// PPI 27 of a GICv3 in TimerMode::kModel.
#include "devices/timer/generic_timer.h"

#include <gtest/gtest.h>

#include "gicv3_fixture.h"

namespace tandem {
namespace {

using namespace a64;
using test::g_fake_now_ns;

class LineRecorder final : public IrqController {
 public:
  void set_irq_level(uint32_t irq, bool level) override {
    last_irq = irq;
    level_now = level;
  }
  uint32_t last_irq = ~0u;
  bool level_now = false;
};

class GenericTimerTest : public ::testing::Test {
 protected:
  void SetUp() override { g_fake_now_ns = 0; }
  uint64_t rd(uint32_t id) {
    uint64_t v = 0xDEAD;
    EXPECT_TRUE(timer.read(id, v));
    return v;
  }
  void wr(uint32_t id, uint64_t v) { EXPECT_TRUE(timer.write(id, v)); }

  LineRecorder gic;
  GenericTimer timer{GuestClock{test::fake_now_ns, 0}, IrqLine(&gic, 7)};
};

TEST_F(GenericTimerTest, FrequencyAndCounter) {
  EXPECT_EQ(rd(CNTFRQ_EL0), 62'500'000u);
  g_fake_now_ns = 1'615;
  EXPECT_EQ(rd(CNTVCT_EL0), 100u);  // 16 ns per tick, truncated
  wr(CNTVCT_EL0, 5);                // read-only
  wr(CNTFRQ_EL0, 5);
  EXPECT_EQ(rd(CNTVCT_EL0), 100u);
  EXPECT_EQ(rd(CNTFRQ_EL0), 62'500'000u);
  uint64_t v = 0;
  EXPECT_FALSE(timer.read(ICC_PMR_EL1, v));
  EXPECT_FALSE(timer.write(ICC_PMR_EL1, 0));
}

TEST_F(GenericTimerTest, ResetStateIsDisabledAndLow) {
  EXPECT_EQ(rd(CNTV_CTL_EL0), 0u);
  EXPECT_EQ(rd(CNTV_CVAL_EL0), 0u);
  EXPECT_FALSE(gic.level_now);
  EXPECT_EQ(gic.last_irq, ~0u);  // the line starts low: nothing to tell the GIC
}

TEST_F(GenericTimerTest, IstatusAndOutputFollowCval) {
  g_fake_now_ns = 1'600;  // counter 100
  wr(CNTV_CVAL_EL0, 200);
  wr(CNTV_CTL_EL0, GenericTimer::CTL_ENABLE | GenericTimer::CTL_ISTATUS);  // ISTATUS is RO
  EXPECT_EQ(rd(CNTV_CTL_EL0), 1u);
  EXPECT_FALSE(gic.level_now);
  g_fake_now_ns = 3'200;  // counter 200: the condition CNTVCT >= CVAL holds
  EXPECT_EQ(rd(CNTV_CTL_EL0), 5u);
  EXPECT_TRUE(gic.level_now);
  wr(CNTV_CTL_EL0, GenericTimer::CTL_ENABLE | GenericTimer::CTL_IMASK);
  EXPECT_EQ(rd(CNTV_CTL_EL0), 7u);  // masked: ISTATUS still set, output low
  EXPECT_FALSE(gic.level_now);
  wr(CNTV_CTL_EL0, 0);
  EXPECT_EQ(rd(CNTV_CTL_EL0), 0u);  // disabled: ISTATUS clear
  EXPECT_FALSE(gic.level_now);
}

TEST_F(GenericTimerTest, CvalInThePastFiresAtOnce) {
  g_fake_now_ns = 16'000;
  wr(CNTV_CTL_EL0, GenericTimer::CTL_ENABLE);
  wr(CNTV_CVAL_EL0, 5);
  EXPECT_TRUE(gic.level_now);
  wr(CNTV_CVAL_EL0, ~uint64_t{0});
  EXPECT_FALSE(gic.level_now);
}

TEST_F(GenericTimerTest, TvalArithmetic) {
  g_fake_now_ns = 1'600;  // counter 100
  wr(CNTV_TVAL_EL0, 50);
  EXPECT_EQ(rd(CNTV_CVAL_EL0), 150u);
  EXPECT_EQ(rd(CNTV_TVAL_EL0), 50u);
  // A write is sign-extended from 32 bits: -1 puts CVAL one tick in the past.
  wr(CNTV_TVAL_EL0, 0xFFFF'FFFF);
  EXPECT_EQ(rd(CNTV_CVAL_EL0), 99u);
  // Bits [63:32] of the written value are ignored.
  wr(CNTV_TVAL_EL0, 0x1234'5678'0000'0010ull);
  EXPECT_EQ(rd(CNTV_CVAL_EL0), 116u);
  // A read is CVAL - CNTVCT truncated to 32 bits, with [63:32] RES0 (as QEMU).
  g_fake_now_ns = 126 * 16;  // counter 126, 10 ticks past CVAL
  EXPECT_EQ(rd(CNTV_TVAL_EL0), 0xFFFF'FFF6u);
  wr(CNTV_CVAL_EL0, 0x1'0000'0000ull + 126 + 7);
  EXPECT_EQ(rd(CNTV_TVAL_EL0), 7u);
}

TEST_F(GenericTimerTest, TvalWriteInThePastRaisesTheLine) {
  g_fake_now_ns = 1'600;
  wr(CNTV_CTL_EL0, GenericTimer::CTL_ENABLE);
  wr(CNTV_TVAL_EL0, 0xFFFF'FFFF);
  EXPECT_TRUE(gic.level_now);
}

TEST_F(GenericTimerTest, AdvanceReturnsTheDeadlineInGuestNs) {
  wr(CNTV_CVAL_EL0, 1'000);
  EXPECT_EQ(timer.advance(0), kNoDeadline);  // disabled
  wr(CNTV_CTL_EL0, GenericTimer::CTL_ENABLE);
  EXPECT_EQ(timer.advance(0), 16'000u);
  EXPECT_EQ(timer.advance(15'999), 16'000u);
  EXPECT_FALSE(gic.level_now);
  EXPECT_EQ(timer.advance(16'000), kNoDeadline);  // due: the line is up
  EXPECT_TRUE(gic.level_now);
  EXPECT_EQ(timer.advance(0), 16'000u);  // time does not go back, but the model follows
  EXPECT_FALSE(gic.level_now);
  wr(CNTV_CTL_EL0, GenericTimer::CTL_ENABLE | GenericTimer::CTL_IMASK);
  EXPECT_EQ(timer.advance(0), kNoDeadline);
  wr(CNTV_CTL_EL0, GenericTimer::CTL_ENABLE);
  wr(CNTV_CVAL_EL0, kNoDeadline / 16 + 1);  // beyond 2^64 ns
  EXPECT_EQ(timer.advance(0), kNoDeadline);
  wr(CNTV_CVAL_EL0, kNoDeadline / 16);
  EXPECT_EQ(timer.advance(0), kNoDeadline / 16 * 16);
}

class Gicv3TimerTest : public test::Gicv3Test {};

TEST_F(Gicv3TimerTest, VirtualTimerIsPpi27OfItsCpu) {
  init_cpu(1);
  setup_private(1, 27, 0xA0);
  icc(1, CNTV_CVAL_EL0, 100);
  icc(1, CNTV_CTL_EL0, 1);
  EXPECT_EQ(gic.advance(0), 1'600u);
  EXPECT_EQ(gic.cpu_lines(1), 0u);
  EXPECT_EQ(gic.advance(1'600), kNoDeadline);
  EXPECT_EQ(gic.cpu_lines(1), cpu_irq::kIrq);
  EXPECT_EQ(gic.cpu_lines(0), 0u);
  EXPECT_EQ(icc(1, ICC_IAR1_EL1), 27u);
  // The handler masks the timer, then ends the interrupt; the level is gone.
  icc(1, CNTV_CTL_EL0, 3);
  icc(1, ICC_EOIR1_EL1, 27);
  EXPECT_EQ(gic.cpu_lines(1), 0u);
  EXPECT_EQ(gicr(1, kSgi + 0x200), 0u);
}

TEST_F(Gicv3TimerTest, TimerRegistersAreBankedPerCpu) {
  icc(0, CNTV_CVAL_EL0, 11);
  icc(1, CNTV_CVAL_EL0, 22);
  EXPECT_EQ(icc(0, CNTV_CVAL_EL0), 11u);
  EXPECT_EQ(icc(1, CNTV_CVAL_EL0), 22u);
  g_fake_now_ns = 160;
  EXPECT_EQ(icc(1, CNTVCT_EL0), 10u);
}

class Gicv3HardwareTimerTest : public test::Gicv3Test {
 protected:
  Gicv3HardwareTimerTest() : Gicv3Test(2, Gicv3::TimerMode::kHardware) {}
};

TEST_F(Gicv3HardwareTimerTest, TimerRegistersAreNotTheChips) {
  uint64_t v = 0;
  EXPECT_FALSE(gic.sysreg_read(0, CNTV_CTL_EL0, v));
  EXPECT_FALSE(gic.sysreg_write(0, CNTV_CVAL_EL0, 1));
  EXPECT_FALSE(gic.sysreg_read(0, CNTFRQ_EL0, v));
  EXPECT_EQ(gic.advance(123), kNoDeadline);
  init_cpu(0);
  setup_private(0, 27, 0x10);
  gic.set_irq_level(Gicv3::ppi_line(0, Gicv3::kVirtualTimerPpi), true);
  EXPECT_EQ(gic.cpu_lines(0), cpu_irq::kIrq);
}

}  // namespace
}  // namespace tandem

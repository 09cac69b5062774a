// SPDX-License-Identifier: Apache-2.0
// Interrupt flows through the GICv3 model: distributor/redistributor state, the CPU interface
// system registers (IHI 0069 12.2) and the IRQ/FIQ lines the backend asserts.
#include <gtest/gtest.h>

#include "gicv3_fixture.h"

namespace tandem {
namespace {

using namespace a64;
using test::Gicv3Test;
using D = Gicv3Distributor;
using R = Gicv3Redistributors;

constexpr uint64_t kSpurious = 1023;

TEST_F(Gicv3Test, CpuInterfaceResetValues) {
  EXPECT_EQ(icc(0, ICC_SRE_EL1), 0x7u);
  EXPECT_EQ(icc(0, ICC_CTLR_EL1), 0x8C00u);  // A3V, IDbits 1, PRIbits 4 (as QEMU 7.2)
  EXPECT_EQ(icc(0, ICC_PMR_EL1), 0u);
  EXPECT_EQ(icc(0, ICC_BPR0_EL1), 2u);
  EXPECT_EQ(icc(0, ICC_BPR1_EL1), 3u);
  EXPECT_EQ(icc(0, ICC_RPR_EL1), 0xFFu);
  EXPECT_EQ(icc(0, ICC_IGRPEN1_EL1), 0u);
  EXPECT_EQ(icc(0, ICC_IAR1_EL1), kSpurious);
  EXPECT_EQ(icc(0, ICC_IAR0_EL1), kSpurious);
  EXPECT_EQ(icc(0, ICC_HPPIR1_EL1), kSpurious);
  EXPECT_EQ(gic.cpu_lines(0), 0u);
  uint64_t v = 0;
  EXPECT_FALSE(gic.sysreg_read(0, sysreg(3, 0, 1, 0, 0), v));  // SCTLR_EL1 is not the chip's
  EXPECT_FALSE(gic.sysreg_read(2, ICC_PMR_EL1, v));            // no CPU 2
  EXPECT_EQ(gic.cpu_lines(5), 0u);
}

TEST_F(Gicv3Test, CpuInterfaceWritableFields) {
  icc(0, ICC_PMR_EL1, 0xFFFF);
  EXPECT_EQ(icc(0, ICC_PMR_EL1), 0xF8u);  // 5 priority bits: [2:0] RAZ/WI
  icc(0, ICC_CTLR_EL1, 0xFFFF'FFFF);
  EXPECT_EQ(icc(0, ICC_CTLR_EL1), 0x8C03u);  // CBPR and EOImode
  icc(0, ICC_CTLR_EL1, 0);
  icc(0, ICC_BPR0_EL1, 0);
  EXPECT_EQ(icc(0, ICC_BPR0_EL1), 2u);  // clamped to the minimum
  icc(0, ICC_BPR1_EL1, 0xF);
  EXPECT_EQ(icc(0, ICC_BPR1_EL1), 7u);
  icc(0, ICC_SRE_EL1, 0);
  EXPECT_EQ(icc(0, ICC_SRE_EL1), 0x7u);
}

TEST_F(Gicv3Test, LevelSpiAcknowledgeAndEoi) {
  init_cpu(0);
  setup_spi(40, 0x80);
  EXPECT_EQ(gic.cpu_lines(0), 0u);
  gic.set_irq_level(40, true);
  EXPECT_EQ(gic.cpu_lines(0), cpu_irq::kIrq);
  EXPECT_EQ(icc(0, ICC_HPPIR1_EL1), 40u);
  EXPECT_EQ(icc(0, ICC_HPPIR0_EL1), kSpurious);
  EXPECT_EQ(icc(0, ICC_IAR1_EL1), 40u);
  // Active and still pending while the line is high (IHI 0069 4.1.2); not signalled again.
  EXPECT_EQ(gicd(0x304), 1u << 8);
  EXPECT_EQ(gicd(0x204), 1u << 8);
  EXPECT_EQ(gic.cpu_lines(0), 0u);
  EXPECT_EQ(icc(0, ICC_RPR_EL1), 0x80u);
  EXPECT_EQ(icc(0, ICC_IAR1_EL1), kSpurious);
  icc(0, ICC_EOIR1_EL1, 40);
  EXPECT_EQ(gicd(0x304), 0u);
  EXPECT_EQ(icc(0, ICC_RPR_EL1), 0xFFu);
  EXPECT_EQ(gic.cpu_lines(0), cpu_irq::kIrq);  // the device still asserts it
  gic.set_irq_level(40, false);
  EXPECT_EQ(gicd(0x204), 0u);
  EXPECT_EQ(gic.cpu_lines(0), 0u);
}

TEST_F(Gicv3Test, EdgeSpiLatchesOnTheRisingEdge) {
  init_cpu(0);
  setup_spi(33, 0x20);
  set_gicd(0xC08, 0x8);  // INTID 33 edge-triggered
  gic.line(33).pulse();
  EXPECT_EQ(gicd(0x204), 0x2u);
  EXPECT_EQ(gic.cpu_lines(0), cpu_irq::kIrq);
  EXPECT_EQ(icc(0, ICC_IAR1_EL1), 33u);
  EXPECT_EQ(gicd(0x204), 0u);  // acknowledging clears an edge's pending state
  icc(0, ICC_EOIR1_EL1, 33);
  EXPECT_EQ(gic.cpu_lines(0), 0u);
  // A line held high is one edge, not many.
  gic.set_irq_level(33, true);
  gic.set_irq_level(33, true);
  EXPECT_EQ(icc(0, ICC_IAR1_EL1), 33u);
  icc(0, ICC_EOIR1_EL1, 33);
  EXPECT_EQ(icc(0, ICC_IAR1_EL1), kSpurious);
}

TEST_F(Gicv3Test, SoftwarePendingAndClearOnLevelInterrupt) {
  init_cpu(0);
  setup_spi(64, 0x10);
  set_gicd(0x208, 0x1);  // ISPENDR2
  EXPECT_EQ(gic.cpu_lines(0), cpu_irq::kIrq);
  set_gicd(0x288, 0x1);  // ICPENDR2
  EXPECT_EQ(gic.cpu_lines(0), 0u);
  gic.set_irq_level(64, true);
  set_gicd(0x288, 0x1);  // the asserted input keeps it pending
  EXPECT_EQ(gic.cpu_lines(0), cpu_irq::kIrq);
}

TEST_F(Gicv3Test, GroupEnablesGateDelivery) {
  init_cpu(0);
  setup_spi(40, 0x80);
  gic.set_irq_level(40, true);
  set_gicd(D::GICD_CTLR, 0x1);  // Group 1 disabled in the distributor
  EXPECT_EQ(gic.cpu_lines(0), 0u);
  EXPECT_EQ(icc(0, ICC_HPPIR1_EL1), kSpurious);
  set_gicd(D::GICD_CTLR, 0x2);
  icc(0, ICC_IGRPEN1_EL1, 0);  // ... or in the CPU interface
  EXPECT_EQ(gic.cpu_lines(0), 0u);
  EXPECT_EQ(icc(0, ICC_IAR1_EL1), kSpurious);
  icc(0, ICC_IGRPEN1_EL1, 1);
  set_gicd(0x184, 1u << 8);  // ICENABLER
  EXPECT_EQ(gic.cpu_lines(0), 0u);
}

TEST_F(Gicv3Test, GroupZeroSignalsFiq) {
  init_cpu(0);
  setup_spi(45, 0x40);
  set_gicd(0x084, 0);  // back to group 0
  gic.set_irq_level(45, true);
  EXPECT_EQ(gic.cpu_lines(0), cpu_irq::kFiq);
  EXPECT_EQ(icc(0, ICC_HPPIR0_EL1), 45u);
  EXPECT_EQ(icc(0, ICC_IAR1_EL1), kSpurious);  // the highest pending is not group 1
  EXPECT_EQ(icc(0, ICC_IAR0_EL1), 45u);
  EXPECT_EQ(icc(0, ICC_AP0R0_EL1), 1u << (0x40 >> 3));
  icc(0, ICC_EOIR1_EL1, 45);  // wrong group: ignored
  EXPECT_EQ(icc(0, ICC_RPR_EL1), 0x40u);
  icc(0, ICC_EOIR0_EL1, 45);
  EXPECT_EQ(icc(0, ICC_RPR_EL1), 0xFFu);
}

TEST_F(Gicv3Test, PriorityMaskHidesLowerPriorities) {
  init_cpu(0);
  setup_spi(40, 0x80);
  gic.set_irq_level(40, true);
  icc(0, ICC_PMR_EL1, 0x80);  // only priorities strictly higher than the mask pass
  EXPECT_EQ(gic.cpu_lines(0), 0u);
  EXPECT_EQ(icc(0, ICC_IAR1_EL1), kSpurious);
  EXPECT_EQ(icc(0, ICC_HPPIR1_EL1), 40u);  // HPPIR ignores the mask
  icc(0, ICC_PMR_EL1, 0x88);
  EXPECT_EQ(gic.cpu_lines(0), cpu_irq::kIrq);
}

TEST_F(Gicv3Test, PreemptionFollowsTheRunningPriority) {
  init_cpu(0);
  setup_spi(40, 0x80);
  setup_spi(41, 0x40);
  setup_spi(42, 0xA0);
  setup_spi(43, 0x40);
  gic.set_irq_level(40, true);
  EXPECT_EQ(icc(0, ICC_IAR1_EL1), 40u);
  gic.set_irq_level(42, true);  // lower priority than the running one
  EXPECT_EQ(gic.cpu_lines(0), 0u);
  gic.set_irq_level(41, true);  // higher: preempts
  EXPECT_EQ(gic.cpu_lines(0), cpu_irq::kIrq);
  EXPECT_EQ(icc(0, ICC_IAR1_EL1), 41u);
  EXPECT_EQ(icc(0, ICC_RPR_EL1), 0x40u);
  EXPECT_EQ(icc(0, ICC_AP1R0_EL1), (1u << 16) | (1u << 8));
  gic.set_irq_level(43, true);  // the same group priority does not preempt
  EXPECT_EQ(gic.cpu_lines(0), 0u);
  gic.set_irq_level(43, false);
  gic.set_irq_level(41, false);
  icc(0, ICC_EOIR1_EL1, 41);
  EXPECT_EQ(icc(0, ICC_RPR_EL1), 0x80u);
  EXPECT_EQ(gic.cpu_lines(0), 0u);  // 42 still waits
  icc(0, ICC_EOIR1_EL1, 40);
  EXPECT_EQ(icc(0, ICC_RPR_EL1), 0xFFu);
  EXPECT_EQ(icc(0, ICC_HPPIR1_EL1), 40u);  // 40 and 42 are still asserted; 40 wins
}

TEST_F(Gicv3Test, EqualPrioritiesGoToTheLowestIntid) {
  init_cpu(0);
  setup_spi(70, 0x50);
  setup_spi(50, 0x50);
  gic.set_irq_level(70, true);
  gic.set_irq_level(50, true);
  EXPECT_EQ(icc(0, ICC_IAR1_EL1), 50u);
}

TEST_F(Gicv3Test, EoiModeSplitsPriorityDropAndDeactivation) {
  init_cpu(0);
  icc(0, ICC_CTLR_EL1, Gicv3CpuInterface::CTLR_EOImode);
  setup_spi(40, 0x80);
  gic.set_irq_level(40, true);
  EXPECT_EQ(icc(0, ICC_IAR1_EL1), 40u);
  icc(0, ICC_EOIR1_EL1, 40);
  EXPECT_EQ(icc(0, ICC_RPR_EL1), 0xFFu);
  EXPECT_EQ(gicd(0x304), 1u << 8);  // still active
  EXPECT_EQ(gic.cpu_lines(0), 0u);
  icc(0, ICC_DIR_EL1, 40);
  EXPECT_EQ(gicd(0x304), 0u);
  EXPECT_EQ(gic.cpu_lines(0), cpu_irq::kIrq);
}

TEST_F(Gicv3Test, SgiFromCpu0ToCpu1) {
  init_cpu(0);
  init_cpu(1);
  setup_private(1, 5, 0x10);
  setup_private(0, 5, 0x10);
  // ICC_SGI1R_EL1: INTID [27:24] = 5, TargetList bit 1 (Aff0 = 1), Aff3..1 = 0.
  icc(0, ICC_SGI1R_EL1, (5ull << 24) | 0x2);
  EXPECT_EQ(gic.cpu_lines(0), 0u);
  EXPECT_EQ(gic.cpu_lines(1), cpu_irq::kIrq);
  EXPECT_EQ(gicr(1, kSgi + 0x200), 1u << 5);
  EXPECT_EQ(icc(1, ICC_IAR1_EL1), 5u);  // GICv3 returns just the INTID
  icc(1, ICC_EOIR1_EL1, 5);
  EXPECT_EQ(gic.cpu_lines(1), 0u);
  // Aff1 = 1 names CPUs 0.0.1.x, which do not exist.
  icc(0, ICC_SGI1R_EL1, (5ull << 24) | (1ull << 16) | 0x3);
  EXPECT_EQ(gic.cpu_lines(0) | gic.cpu_lines(1), 0u);
  // IRM [40]: every CPU but the sender.
  icc(1, ICC_SGI1R_EL1, (5ull << 24) | (1ull << 40));
  EXPECT_EQ(gic.cpu_lines(0), cpu_irq::kIrq);
  EXPECT_EQ(gic.cpu_lines(1), 0u);
}

TEST_F(Gicv3Test, SgiGroupMustMatchTheGeneratingRegister) {
  init_cpu(1);
  set_gicr(1, kSgi + 0x100, 1u << 3);  // SGI 3 enabled, group 0
  icc(0, ICC_SGI1R_EL1, (3ull << 24) | 0x2);
  EXPECT_EQ(gicr(1, kSgi + 0x200), 0u);
  icc(0, ICC_SGI0R_EL1, (3ull << 24) | 0x2);
  EXPECT_EQ(gic.cpu_lines(1), cpu_irq::kFiq);
  EXPECT_EQ(icc(1, ICC_IAR0_EL1), 3u);
}

TEST_F(Gicv3Test, IrouterRoutesToCpu1) {
  init_cpu(0);
  init_cpu(1);
  setup_spi(50, 0x80, 1);
  gic.set_irq_level(50, true);
  EXPECT_EQ(gic.cpu_lines(0), 0u);
  EXPECT_EQ(gic.cpu_lines(1), cpu_irq::kIrq);
  EXPECT_EQ(icc(0, ICC_IAR1_EL1), kSpurious);
  EXPECT_EQ(icc(1, ICC_IAR1_EL1), 50u);
  icc(1, ICC_EOIR1_EL1, 50);
  // Aff0 beyond the last CPU, or a non-zero Aff1: delivered nowhere.
  set_gicd(D::GICD_IROUTER + 8 * 50, 7, 8);
  EXPECT_EQ(gic.cpu_lines(0) | gic.cpu_lines(1), 0u);
  set_gicd(D::GICD_IROUTER + 8 * 50, 0x100, 8);
  EXPECT_EQ(gic.cpu_lines(0) | gic.cpu_lines(1), 0u);
}

TEST_F(Gicv3Test, OneOfNRoutingPicksTheLowestAwakeCpu) {
  init_cpu(0);
  init_cpu(1);
  setup_spi(60, 0x80);
  set_gicd(D::GICD_IROUTER + 8 * 60, Gicv3State::IROUTER_IRM, 8);
  gic.set_irq_level(60, true);
  EXPECT_EQ(gic.cpu_lines(0), cpu_irq::kIrq);
  EXPECT_EQ(gic.cpu_lines(1), 0u);
  set_gicr(0, R::GICR_WAKER, R::WAKER_ProcessorSleep);  // CPU 0 goes to sleep
  EXPECT_EQ(gic.cpu_lines(0), 0u);
  EXPECT_EQ(gic.cpu_lines(1), cpu_irq::kIrq);
}

TEST_F(Gicv3Test, PpiLinesAreBankedPerCpu) {
  init_cpu(0);
  init_cpu(1);
  setup_private(1, 27, 0x20);
  setup_private(0, 27, 0x20);
  gic.set_irq_level(Gicv3::ppi_line(1, 27), true);
  EXPECT_EQ(gic.cpu_lines(0), 0u);
  EXPECT_EQ(gic.cpu_lines(1), cpu_irq::kIrq);
  EXPECT_EQ(icc(1, ICC_IAR1_EL1), 27u);
  // Lines that name no PPI are ignored.
  gic.set_irq_level(27, true);
  gic.set_irq_level(Gicv3::ppi_line(0, 3), true);  // an SGI has no line
  gic.set_irq_level(Gicv3::ppi_line(2, 27), true);
  gic.set_irq_level(160, true);
  EXPECT_EQ(gic.cpu_lines(0), 0u);
}

}  // namespace
}  // namespace tandem

// SPDX-License-Identifier: Apache-2.0
// The GICv2 model (IHI 0048B) through its two memory-mapped frames as each vCPU reaches them:
// banked INTIDs 0..31 and CPU interface, ITARGETSR routing, GICD_SGIR with the sender in
// GICC_IAR, group 0 signalled as IRQ unless FIQEn, and the virtual timer on PPI 27.
#include "devices/irq/gicv2.h"

#include <gtest/gtest.h>

#include "core/arch/aarch64/sysreg_id.h"

namespace tandem {
namespace {

using D = Gicv2Distributor;
using C = Gicv2CpuInterface;

constexpr uint32_t kSpurious = 1023;

uint64_t g_now_ns = 0;
uint64_t now_ns() { return g_now_ns; }

class Gicv2Test : public ::testing::Test {
 protected:
  explicit Gicv2Test(unsigned cpus = 2) : gic(cpus, GuestClock{now_ns, 0}) { g_now_ns = 0; }

  uint32_t gicd(unsigned cpu, uint64_t off, unsigned size = 4) {
    gic.set_accessor(cpu);
    return static_cast<uint32_t>(gic.distributor_frame().read(off, size));
  }
  void set_gicd(unsigned cpu, uint64_t off, uint32_t v, unsigned size = 4) {
    gic.set_accessor(cpu);
    gic.distributor_frame().write(off, size, v);
  }
  uint32_t gicc(unsigned cpu, uint64_t off) {
    gic.set_accessor(cpu);
    return static_cast<uint32_t>(gic.cpu_interface_frame().read(off, 4));
  }
  void set_gicc(unsigned cpu, uint64_t off, uint32_t v) {
    gic.set_accessor(cpu);
    gic.cpu_interface_frame().write(off, 4, v);
  }
  // What Linux's GICv2 driver does: distributor on (group 0), each CPU interface on with every
  // priority let through.
  void init() {
    set_gicd(0, D::GICD_CTLR, 1);
    for (unsigned cpu = 0; cpu < 2; ++cpu) {
      set_gicc(cpu, C::GICC_PMR, 0xFF);
      set_gicc(cpu, C::GICC_CTLR, C::CTLR_EnableGrp0);
    }
  }
  // Interrupt `intid` enabled at priority `prio` by `cpu` (banked ones: that CPU's own).
  void enable(unsigned cpu, uint32_t intid, uint8_t prio) {
    set_gicd(cpu, 0x400 + intid, prio, 1);
    set_gicd(cpu, 0x100 + 4 * (intid / 32), 1u << (intid % 32));
  }

  Gicv2 gic;
};

TEST_F(Gicv2Test, IdentificationAndResetValues) {
  // TYPER: CPUNumber 1 (two CPUs) in [7:5], ITLinesNumber 4 (160 INTIDs); PIDR2 ArchRev 2.
  EXPECT_EQ(gicd(0, D::GICD_TYPER), (1u << 5) | 4u);
  EXPECT_EQ(gicd(0, D::GICD_PIDR2) >> 4, 2u);
  EXPECT_EQ(gicc(0, C::GICC_IIDR) >> 16, 2u);
  EXPECT_EQ(gicd(0, D::GICD_CTLR), 0u);
  EXPECT_EQ(gicc(0, C::GICC_CTLR), 0u);
  EXPECT_EQ(gicc(0, C::GICC_IAR), kSpurious);
  EXPECT_EQ(gicc(0, C::GICC_RPR), 0xFFu);
  EXPECT_EQ(gic.cpu_lines(0), 0u);
  // ITARGETSR0..7 read as the reading CPU's own bit in every byte (4.3.12).
  EXPECT_EQ(gicd(0, D::GICD_ITARGETSR), 0x01010101u);
  EXPECT_EQ(gicd(1, D::GICD_ITARGETSR + 4), 0x02020202u);
  // The CPU interface's registers are not system registers on a GICv2.
  uint64_t v = 0;
  EXPECT_FALSE(gic.sysreg_read(0, a64::ICC_PMR_EL1, v));
}

TEST_F(Gicv2Test, SpiGoesToItsTargetCpuAsIrq) {
  init();
  enable(0, 40, 0xA0);
  set_gicd(0, D::GICD_ITARGETSR + 40, 0x2, 1);  // CPU 1
  EXPECT_EQ(gicd(0, D::GICD_ITARGETSR + 40, 1), 0x2u);
  gic.set_irq_level(40, true);
  EXPECT_EQ(gic.cpu_lines(0), 0u);
  EXPECT_EQ(gic.cpu_lines(1), cpu_irq::kIrq);  // group 0 without FIQEn: IRQ (3.3)
  EXPECT_EQ(gicc(0, C::GICC_IAR), kSpurious);
  EXPECT_EQ(gicc(1, C::GICC_HPPIR), 40u);
  EXPECT_EQ(gicc(1, C::GICC_IAR), 40u);
  EXPECT_EQ(gicc(1, C::GICC_RPR), 0xA0u);
  EXPECT_EQ(gic.cpu_lines(1), 0u);  // active, and the line still high: nothing new
  gic.set_irq_level(40, false);
  set_gicc(1, C::GICC_EOIR, 40);
  EXPECT_EQ(gicc(1, C::GICC_RPR), 0xFFu);
  EXPECT_EQ(gicd(0, 0x304), 0u);  // GICD_ISACTIVER1: no longer active
  // Retargeted to CPU 0, and with FIQEn that CPU sees group 0 as FIQ.
  set_gicd(0, D::GICD_ITARGETSR + 40, 0x1, 1);
  set_gicc(0, C::GICC_CTLR, C::CTLR_EnableGrp0 | C::CTLR_FIQEn);
  gic.set_irq_level(40, true);
  EXPECT_EQ(gic.cpu_lines(0), cpu_irq::kFiq);
  EXPECT_EQ(gic.cpu_lines(1), 0u);
}

TEST_F(Gicv2Test, BankedPpiEnablesArePerCpu) {
  init();
  enable(1, Gicv2::kVirtualTimerPpi, 0x80);
  EXPECT_EQ(gicd(1, 0x100), 1u << 27);
  EXPECT_EQ(gicd(0, 0x100), 0u);
  gic.set_irq_level(Gicv2::ppi_line(0, 27), true);
  gic.set_irq_level(Gicv2::ppi_line(1, 27), true);
  EXPECT_EQ(gic.cpu_lines(0), 0u);  // not enabled on CPU 0
  EXPECT_EQ(gic.cpu_lines(1), cpu_irq::kIrq);
  EXPECT_EQ(gicc(1, C::GICC_IAR), 27u);
}

TEST_F(Gicv2Test, SgiReportsItsSender) {
  init();
  enable(0, 3, 0x40);
  // CPU 1 sends SGI 3 to the list {CPU 0}; then CPU 0 sends it to itself (filter 2).
  set_gicd(1, D::GICD_SGIR, (0x1u << 16) | 3);
  set_gicd(0, D::GICD_SGIR, (2u << 24) | 3);
  EXPECT_EQ(gic.cpu_lines(0), cpu_irq::kIrq);
  EXPECT_EQ(gicc(0, C::GICC_HPPIR), 3u);  // the lowest sender first: CPU 0
  const uint32_t first = gicc(0, C::GICC_IAR);
  EXPECT_EQ(first, 3u);
  // Still pending from CPU 1 while active (3.2.4); taken after the EOI.
  EXPECT_EQ(gicd(0, 0x200) & (1u << 3), 1u << 3);
  set_gicc(0, C::GICC_EOIR, first);
  const uint32_t second = gicc(0, C::GICC_IAR);
  EXPECT_EQ(second, 3u | (1u << 10));  // CPUID [12:10] = 1
  set_gicc(0, C::GICC_EOIR, second);
  EXPECT_EQ(gicc(0, C::GICC_IAR), kSpurious);
  EXPECT_EQ(gicd(0, 0x300), 0u);  // nothing active
  // Filter 1: every CPU but the sender; CPU 1 has not enabled SGI 3.
  set_gicd(0, D::GICD_SGIR, (1u << 24) | 3);
  EXPECT_EQ(gic.cpu_lines(0), 0u);
  EXPECT_EQ(gicd(1, 0x200) & (1u << 3), 1u << 3);
}

TEST_F(Gicv2Test, PriorityMaskAndPreemption) {
  init();
  enable(0, 33, 0x80);
  enable(0, 34, 0x40);
  set_gicd(0, D::GICD_ITARGETSR + 32, 0x01010101);
  set_gicc(0, C::GICC_PMR, 0x80);
  gic.set_irq_level(33, true);
  EXPECT_EQ(gic.cpu_lines(0), 0u);  // priority 0x80 is not above the mask
  set_gicc(0, C::GICC_PMR, 0xF0);
  EXPECT_EQ(gicc(0, C::GICC_IAR), 33u);
  gic.set_irq_level(34, true);
  EXPECT_EQ(gic.cpu_lines(0), cpu_irq::kIrq);  // 0x40 preempts the running 0x80
  EXPECT_EQ(gicc(0, C::GICC_IAR), 34u);
  EXPECT_EQ(gicc(0, C::GICC_RPR), 0x40u);
  set_gicc(0, C::GICC_EOIR, 34);
  EXPECT_EQ(gicc(0, C::GICC_RPR), 0x80u);
}

TEST_F(Gicv2Test, VirtualTimerRaisesPpi27) {
  init();
  enable(0, Gicv2::kVirtualTimerPpi, 0x80);
  // CNTV_CVAL = 10 ticks (160 ns at 62.5 MHz), enabled.
  EXPECT_TRUE(gic.sysreg_write(0, a64::CNTV_CVAL_EL0, 10));
  EXPECT_TRUE(gic.sysreg_write(0, a64::CNTV_CTL_EL0, 1));
  EXPECT_EQ(gic.advance(0), 160u);
  EXPECT_EQ(gic.cpu_lines(0), 0u);
  g_now_ns = 160;
  gic.advance(g_now_ns);
  EXPECT_EQ(gic.cpu_lines(0), cpu_irq::kIrq);
  EXPECT_EQ(gicc(0, C::GICC_IAR), 27u);
}

TEST_F(Gicv2Test, BadAccessesChangeNothing) {
  init();
  // Wrong widths, an accessor past the last CPU, reserved offsets: read as 0, no effect.
  EXPECT_EQ(gicd(0, D::GICD_CTLR, 2), 0u);
  set_gicc(0, C::GICC_PMR + 1, 0);
  EXPECT_EQ(gicc(0, C::GICC_PMR), 0xF8u);
  gic.set_accessor(7);
  EXPECT_EQ(gic.cpu_interface_frame().read(C::GICC_IAR, 4), 0u);
  gic.cpu_interface_frame().write(C::GICC_CTLR, 4, 0);
  EXPECT_EQ(gicc(0, C::GICC_CTLR), C::CTLR_EnableGrp0);
  set_gicd(0, D::GICD_SGIR, (3u << 24) | 1);  // reserved filter
  EXPECT_EQ(gicd(0, 0x200), 0u);
  gic.set_irq_level(5000, true);  // no such line
  EXPECT_EQ(gic.cpu_lines(0), 0u);
}

class Gicv2OneCpu : public Gicv2Test {
 protected:
  Gicv2OneCpu() : Gicv2Test(1) {}
};

// A uniprocessor GICv2 routes every SPI to its one CPU; ITARGETSR is RAZ/WI (4.3.12).
TEST_F(Gicv2OneCpu, SpisNeedNoTarget) {
  set_gicd(0, D::GICD_CTLR, 1);
  set_gicc(0, C::GICC_PMR, 0xFF);
  set_gicc(0, C::GICC_CTLR, C::CTLR_EnableGrp0);
  enable(0, 33, 0xA0);
  set_gicd(0, D::GICD_ITARGETSR + 33, 0xFF, 1);
  EXPECT_EQ(gicd(0, D::GICD_ITARGETSR + 33, 1), 0u);
  gic.set_irq_level(33, true);
  EXPECT_EQ(gicc(0, C::GICC_IAR), 33u);
}

}  // namespace
}  // namespace tandem

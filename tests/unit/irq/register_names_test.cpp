// SPDX-License-Identifier: Apache-2.0
// Device::register_name of the interrupt controllers' frames against their specifications'
// offsets: GICv3 GICD_* and GICR_* (IHI 0069 12.9-12.11), GICv2 GICD_* and GICC_* (IHI 0048B
// 4.1), the PLIC (RISC-V PLIC spec 1.0.0 ch. 3-9) and the CLINT (ACLINT spec); the GICv2 and
// riscv frames as a board maps them (ChipFrame forwards the names).
#include <gtest/gtest.h>

#include <string>

#include "devices/irq/gicv2.h"
#include "devices/irq/riscv_irq_chip.h"
#include "gicv3_fixture.h"
#include "unit/register_name_of.h"

namespace tandem::test {
namespace {

TEST_F(Gicv3Test, DistributorRegisterNames) {
  const Device& d = gic.distributor();
  EXPECT_EQ(name_of(d, 0x0000), "GICD_CTLR");
  EXPECT_EQ(name_of(d, 0x0004), "GICD_TYPER");
  EXPECT_EQ(name_of(d, 0x0008), "GICD_IIDR");
  EXPECT_EQ(name_of(d, 0x0080), "GICD_IGROUPR0");
  EXPECT_EQ(name_of(d, 0x0104, true), "GICD_ISENABLER1");  // INTIDs 32..63
  EXPECT_EQ(name_of(d, 0x0184, true), "GICD_ICENABLER1");
  EXPECT_EQ(name_of(d, 0x0208), "GICD_ISPENDR2");
  EXPECT_EQ(name_of(d, 0x0280), "GICD_ICPENDR0");
  EXPECT_EQ(name_of(d, 0x0300), "GICD_ISACTIVER0");
  EXPECT_EQ(name_of(d, 0x0380), "GICD_ICACTIVER0");
  EXPECT_EQ(name_of(d, 0x0420), "GICD_IPRIORITYR8");  // INTIDs 32..35
  EXPECT_EQ(name_of(d, 0x0423), "GICD_IPRIORITYR8");  // a byte access to INTID 35
  EXPECT_EQ(name_of(d, 0x0C08), "GICD_ICFGR2");
  EXPECT_EQ(name_of(d, 0x0D04), "GICD_IGRPMODR1");
  EXPECT_EQ(name_of(d, 0x6100, true), "GICD_IROUTER32");
  EXPECT_EQ(name_of(d, 0x6100 + 8 * 127), "GICD_IROUTER159");
  EXPECT_EQ(name_of(d, 0xFFE8), "GICD_PIDR2");
  EXPECT_EQ(name_of(d, 0xFFD0), "GICD_PIDR4");
  EXPECT_EQ(name_of(d, 0xFFFC), "GICD_CIDR3");
  EXPECT_EQ(name_of(d, 0x0F00, true), "(none)");  // no GICD_SGIR with affinity routing
  EXPECT_EQ(name_of(d, 0x6000), "(none)");        // IROUTER0..31 are reserved
}

TEST_F(Gicv3Test, RedistributorRegisterNames) {
  const Device& r = gic.redistributors();
  EXPECT_EQ(name_of(r, kRd + 0x0000), "GICR_CTLR");
  EXPECT_EQ(name_of(r, kRd + 0x0008), "GICR_TYPER");
  EXPECT_EQ(name_of(r, kRd + 0x000C), "GICR_TYPER");  // its upper half
  EXPECT_EQ(name_of(r, kRd + 0x0014, true), "GICR_WAKER");
  EXPECT_EQ(name_of(r, kRd + 0x0070), "GICR_PROPBASER");
  EXPECT_EQ(name_of(r, kRd + 0xFFE8), "GICR_PIDR2");
  EXPECT_EQ(name_of(r, kSgi + 0x0100, true), "GICR_ISENABLER0");
  EXPECT_EQ(name_of(r, kSgi + 0x0180, true), "GICR_ICENABLER0");
  EXPECT_EQ(name_of(r, kSgi + 0x041C), "GICR_IPRIORITYR7");
  EXPECT_EQ(name_of(r, kSgi + 0x0C04), "GICR_ICFGR1");
  // CPU 1's frames, 128 KiB on.
  EXPECT_EQ(name_of(r, Gicv3::kGicrStride + kRd + 0x0014), "GICR_WAKER");
  EXPECT_EQ(name_of(r, Gicv3::kGicrStride + kSgi + 0x0080), "GICR_IGROUPR0");
}

TEST(RegisterNames, Gicv2Frames) {
  Gicv2 gic(2, GuestClock{fake_now_ns, 0});
  const Device& d = gic.distributor_frame();
  EXPECT_EQ(name_of(d, 0x000), "GICD_CTLR");
  EXPECT_EQ(name_of(d, 0x100, true), "GICD_ISENABLER0");
  EXPECT_EQ(name_of(d, 0x820), "GICD_ITARGETSR8");
  EXPECT_EQ(name_of(d, 0xF00, true), "GICD_SGIR");
  EXPECT_EQ(name_of(d, 0xF10, true), "GICD_CPENDSGIR0");
  EXPECT_EQ(name_of(d, 0xFE8), "GICD_PIDR2");
  const Device& c = gic.cpu_interface_frame();
  EXPECT_EQ(name_of(c, 0x00), "GICC_CTLR");
  EXPECT_EQ(name_of(c, 0x04, true), "GICC_PMR");
  EXPECT_EQ(name_of(c, 0x0C), "GICC_IAR");
  EXPECT_EQ(name_of(c, 0x10, true), "GICC_EOIR");
  EXPECT_EQ(name_of(c, 0x18), "GICC_HPPIR");
  EXPECT_EQ(name_of(c, 0xD4), "GICC_APR1");
  EXPECT_EQ(name_of(c, 0xE0), "GICC_NSAPR0");
  EXPECT_EQ(name_of(c, 0xFC), "GICC_IIDR");
  EXPECT_EQ(name_of(c, 0x1000, true), "GICC_DIR");
  EXPECT_EQ(name_of(c, 0x2C), "(none)");
}

TEST(RegisterNames, PlicAndClint) {
  RiscvIrqChip chip(2, GuestClock{fake_now_ns, 0});
  const Device& p = chip.plic_frame();
  EXPECT_EQ(name_of(p, 0x000004, true), "priority[1]");
  EXPECT_EQ(name_of(p, 0x001004), "pending[1]");
  EXPECT_EQ(name_of(p, 0x002080, true), "ctx1.enable[0]");  // hart 0's S context
  EXPECT_EQ(name_of(p, 0x002184), "ctx3.enable[1]");
  EXPECT_EQ(name_of(p, 0x201000, true), "ctx1.threshold");
  EXPECT_EQ(name_of(p, 0x201004), "ctx1.claim");
  EXPECT_EQ(name_of(p, 0x201004, true), "ctx1.complete");
  EXPECT_EQ(name_of(p, 0x201008), "(none)");
  const Device& c = chip.clint_frame();
  EXPECT_EQ(name_of(c, 0x0004, true), "msip1");
  EXPECT_EQ(name_of(c, 0x4000, true), "mtimecmp0");
  EXPECT_EQ(name_of(c, 0x400C, true), "mtimecmp1.hi");
  EXPECT_EQ(name_of(c, 0xBFF8), "mtime");
  EXPECT_EQ(name_of(c, 0xBFFC), "mtime.hi");
  EXPECT_EQ(name_of(c, 0x8000), "(none)");
}

}  // namespace
}  // namespace tandem::test

// SPDX-License-Identifier: Apache-2.0
// GICv3 distributor and redistributor registers (GIC architecture spec IHI 0069, chapter 12)
// with the values QEMU 7.2 -M virt,gic-version=3 shows a guest, except where noted: 128 SPIs
// here (QEMU virt has 256) and no LPIs (QEMU's GICD_TYPER.LPIS is 1 with its ITS).
#include <gtest/gtest.h>

#include "gicv3_fixture.h"

namespace tandem {
namespace {

using test::Gicv3Test;
using D = Gicv3Distributor;
using R = Gicv3Redistributors;

TEST_F(Gicv3Test, DistributorResetAndIdentification) {
  EXPECT_EQ(gicd(D::GICD_CTLR), 0x50u);  // DS (6) and ARE (4), groups disabled (12.9.4)
  // 12.9.38: No1N, A3V, IDbits 15, ITLinesNumber 4 (INTIDs up to 159).
  EXPECT_EQ(gicd(D::GICD_TYPER), 0x0378'0004u);
  EXPECT_EQ(gicd(D::GICD_IIDR), 0x43Bu);
  EXPECT_EQ(gicd(D::GICD_PIDR2), 0x3Bu);  // ArchRev 3 in [7:4]
  EXPECT_EQ(gicd(0xFFE0), 0x92u);
  EXPECT_EQ(gicd(0xFFD0), 0x44u);
  EXPECT_EQ(gicd(0xFFFC), 0xB1u);
  for (uint64_t off = 0x080; off < 0x400; off += 4) EXPECT_EQ(gicd(off), 0u) << std::hex << off;
  EXPECT_EQ(gicd(0xC08), 0u);  // SPIs reset level-sensitive
  EXPECT_EQ(gicd(0xF00), 0u);  // GICD_SGIR is absent with affinity routing
}

TEST_F(Gicv3Test, DistributorCtlrKeepsDsAndAre) {
  set_gicd(D::GICD_CTLR, 0);
  EXPECT_EQ(gicd(D::GICD_CTLR), 0x50u);
  set_gicd(D::GICD_CTLR, 0xFFFF'FFFF);
  EXPECT_EQ(gicd(D::GICD_CTLR), 0x53u);  // only EnableGrp0/EnableGrp1 are writable
}

TEST_F(Gicv3Test, DistributorIgnoresPrivateInterruptsWithAffinityRouting) {
  // 12.9: with ARE set, the GICD registers for INTIDs 0..31 are RAZ/WI.
  set_gicd(0x080, 0xFFFF'FFFF);
  set_gicd(0x100, 0xFFFF'FFFF);
  set_gicd(0x400, 0xFFFF'FFFF);
  EXPECT_EQ(gicd(0x080), 0u);
  EXPECT_EQ(gicd(0x100), 0u);
  EXPECT_EQ(gicd(0x400), 0u);
  EXPECT_EQ(gicr(0, kSgi + 0x100), 0u);
  // Beyond INTID 159 nothing is implemented either.
  set_gicd(0x094, 0xFFFF'FFFF);
  EXPECT_EQ(gicd(0x094), 0u);
}

TEST_F(Gicv3Test, SetAndClearRegistersShareOneBitmap) {
  set_gicd(0x104, 0x0000'0011);  // ISENABLER1: INTIDs 32 and 36
  EXPECT_EQ(gicd(0x104), 0x11u);
  EXPECT_EQ(gicd(0x184), 0x11u);  // ICENABLER reads the same state
  set_gicd(0x184, 0x1);
  EXPECT_EQ(gicd(0x104), 0x10u);
  set_gicd(0x208, 0x8000'0000);  // ISPENDR2: INTID 95
  EXPECT_EQ(gicd(0x288), 0x8000'0000u);
  set_gicd(0x288, 0x8000'0000);
  EXPECT_EQ(gicd(0x208), 0u);
  set_gicd(0x310, 0x2);  // ISACTIVER4: INTID 129
  EXPECT_EQ(gicd(0x390), 0x2u);
  set_gicd(0x390, 0x2);
  EXPECT_EQ(gicd(0x310), 0u);
}

TEST_F(Gicv3Test, PrioritiesByByteAndWord) {
  set_gicd(0x420, 0x44'33'22'11);  // IPRIORITYR8: INTIDs 32..35
  EXPECT_EQ(gicd(0x420, 1), 0x11u);
  EXPECT_EQ(gicd(0x423, 1), 0x44u);
  set_gicd(0x421, 0xA0, 1);
  EXPECT_EQ(gicd(0x420), 0x44'33'A0'11u);
  EXPECT_EQ(gicd(0x420, 2), 0u);       // 16-bit accesses are not supported (RAZ/WI)
  set_gicr(1, kSgi + 0x41B, 0x80, 1);  // PPI 27 of CPU 1
  EXPECT_EQ(gicr(1, kSgi + 0x418), 0x8000'0000u);
  EXPECT_EQ(gicr(0, kSgi + 0x418), 0u);  // banked per CPU
}

TEST_F(Gicv3Test, IcfgrSelectsEdgeOrLevel) {
  EXPECT_EQ(gicr(0, kSgi + 0xC00), 0xAAAA'AAAAu);  // SGIs are edge-triggered, read-only
  set_gicr(0, kSgi + 0xC00, 0);
  EXPECT_EQ(gicr(0, kSgi + 0xC00), 0xAAAA'AAAAu);
  EXPECT_EQ(gicr(0, kSgi + 0xC04), 0u);  // PPIs reset level-sensitive (writable, as QEMU)
  set_gicr(0, kSgi + 0xC04, 0xFFFF'FFFF);
  EXPECT_EQ(gicr(0, kSgi + 0xC04), 0xAAAA'AAAAu);  // only the odd bits exist
  set_gicd(0xC08, 0x0000'0008);                    // ICFGR2: INTID 33 edge
  EXPECT_EQ(gicd(0xC08), 0x8u);
  EXPECT_EQ(gicd(0xC0C), 0u);
}

TEST_F(Gicv3Test, IrouterIs64BitWithWordHalves) {
  const uint64_t r40 = D::GICD_IROUTER + 8 * 40;
  EXPECT_EQ(gicd(r40, 8), 0u);
  set_gicd(r40, 0xFFFF'FFFF'FFFF'FFFFull, 8);
  EXPECT_EQ(gicd(r40, 8), 0xFF'80FF'FFFFull);  // Aff3, IRM, Aff2..Aff0 (12.9.22)
  set_gicd(r40 + 4, 0x12, 4);
  EXPECT_EQ(gicd(r40, 8), 0x12'80FF'FFFFull);
  EXPECT_EQ(gicd(r40, 4), 0x80FF'FFFFu);
  EXPECT_EQ(gicd(r40 + 4, 4), 0x12u);
  set_gicd(D::GICD_IROUTER + 8 * 31, 5, 8);  // no IROUTER for private interrupts
  EXPECT_EQ(gicd(D::GICD_IROUTER + 8 * 31, 8), 0u);
}

TEST_F(Gicv3Test, RedistributorIdentificationAndTyperLastBit) {
  // 12.10.33: Affinity_Value [63:32], Processor_Number [23:8], Last [4], CommonLPIAff [25:24].
  EXPECT_EQ(gicr(0, R::GICR_TYPER, 8), 0x0000'0000'0100'0000ull);
  EXPECT_EQ(gicr(1, R::GICR_TYPER, 8), 0x0000'0001'0100'0110ull);
  EXPECT_EQ(gicr(1, R::GICR_TYPER), 0x0100'0110u);
  EXPECT_EQ(gicr(1, R::GICR_TYPER + 4), 0x1u);
  EXPECT_EQ(gicr(0, R::GICR_IIDR), 0x43Bu);
  EXPECT_EQ(gicr(1, R::GICR_PIDR2), 0x3Bu);
  EXPECT_EQ(gicr(0, 0xFFE0), 0x93u);
  EXPECT_EQ(gicr(0, R::GICR_CTLR), 0u);
  EXPECT_EQ(gic.redistributors().size(), 2 * 0x2'0000u);
  EXPECT_EQ(gic.redistributors().read(2 * 0x2'0000 + R::GICR_TYPER, 8), 0u);  // no CPU 2
}

TEST_F(Gicv3Test, WakerHandshake) {
  // 12.10.35: ProcessorSleep resets to 1 and ChildrenAsleep follows it.
  EXPECT_EQ(gicr(0, R::GICR_WAKER), 0x6u);
  set_gicr(0, R::GICR_WAKER, 0);
  EXPECT_EQ(gicr(0, R::GICR_WAKER), 0u);  // the guest polls until ChildrenAsleep is 0
  EXPECT_EQ(gicr(1, R::GICR_WAKER), 0x6u);
  set_gicr(0, R::GICR_WAKER, 0x4);  // ChildrenAsleep is read-only
  EXPECT_EQ(gicr(0, R::GICR_WAKER), 0u);
  set_gicr(0, R::GICR_WAKER, 0x2);
  EXPECT_EQ(gicr(0, R::GICR_WAKER), 0x6u);
}

TEST(Gicv3Layout, FrameSizesMatchQemuVirt) {
  EXPECT_EQ(Gicv3::kGicdSize, 0x1'0000u);
  EXPECT_EQ(Gicv3::kGicrStride, 0x2'0000u);
  Gicv3 big(20, GuestClock{test::fake_now_ns, 0}, Gicv3::TimerMode::kHardware);
  EXPECT_EQ(big.cpu_count(), 8u);  // clamped to kMaxCpus
  EXPECT_EQ(big.redistributors().read(7 * 0x2'0000 + R::GICR_TYPER, 4) & R::TYPER_Last,
            R::TYPER_Last);
}

}  // namespace
}  // namespace tandem

// SPDX-License-Identifier: Apache-2.0
// A guest may write anything anywhere: random values at every 4-byte-aligned offset (and
// random unaligned ones) of both frames, with every width, interleaved with random CPU
// interface accesses and line changes. Nothing may crash (run this under ASan/UBSan too),
// and the identification registers must survive.
#include <gtest/gtest.h>

#include <random>

#include "gicv3_fixture.h"

namespace tandem {
namespace {

using namespace a64;

constexpr uint32_t kIccIds[] = {
    ICC_PMR_EL1,    ICC_IAR0_EL1,  ICC_EOIR0_EL1, ICC_HPPIR0_EL1,  ICC_BPR0_EL1,
    ICC_AP0R0_EL1,  ICC_AP1R0_EL1, ICC_DIR_EL1,   ICC_RPR_EL1,     ICC_SGI1R_EL1,
    ICC_ASGI1R_EL1, ICC_SGI0R_EL1, ICC_IAR1_EL1,  ICC_EOIR1_EL1,   ICC_HPPIR1_EL1,
    ICC_BPR1_EL1,   ICC_CTLR_EL1,  ICC_SRE_EL1,   ICC_IGRPEN0_EL1, ICC_IGRPEN1_EL1,
    CNTV_CTL_EL0,   CNTV_CVAL_EL0, CNTV_TVAL_EL0, CNTVCT_EL0,      CNTFRQ_EL0};
constexpr unsigned kWidths[] = {1, 2, 3, 4, 8, 16};

class Gicv3FuzzTest : public test::Gicv3Test {
 protected:
  Gicv3FuzzTest() : Gicv3Test(3) {}

  void poke(std::mt19937_64& rng, Device& dev, uint64_t offset) {
    const unsigned width = kWidths[rng() % std::size(kWidths)];
    if (rng() % 2 != 0) {
      (void)dev.read(offset, width);
    } else {
      dev.write(offset, width, rng());
    }
    if (rng() % 8 == 0) {
      const unsigned cpu = static_cast<unsigned>(rng() % 4);  // one past the last CPU too
      const uint32_t id = kIccIds[rng() % std::size(kIccIds)];
      uint64_t v = rng();
      if (rng() % 2 != 0) {
        (void)gic.sysreg_read(cpu, id, v);
      } else {
        (void)gic.sysreg_write(cpu, id, v);
      }
      gic.set_irq_level(static_cast<uint32_t>(rng() % 2200), rng() % 2 != 0);
      test::g_fake_now_ns += rng() % 100'000;
      (void)gic.advance(test::g_fake_now_ns);
      for (unsigned c = 0; c < 4; ++c) (void)gic.cpu_lines(c);
    }
  }
};

TEST_F(Gicv3FuzzTest, RandomAccessesEverywhereNeverCrash) {
  std::mt19937_64 rng(0x6C1C'3u);
  Device& dist = gic.distributor();
  Device& redist = gic.redistributors();
  for (int round = 0; round < 2; ++round) {
    for (uint64_t off = 0; off < Gicv3Distributor::kSize; off += 4) poke(rng, dist, off);
    for (uint64_t off = 0; off < gic.redistributors().size() + 0x1000; off += 4) {
      poke(rng, redist, off);
    }
  }
  for (int i = 0; i < 100'000; ++i) {
    poke(rng, dist, rng() % (Gicv3Distributor::kSize + 16));
    poke(rng, redist, rng() % (gic.redistributors().size() + 16));
  }
  EXPECT_EQ(dist.read(Gicv3Distributor::GICD_PIDR2, 4), 0x3Bu);
  EXPECT_EQ(dist.read(Gicv3Distributor::GICD_TYPER, 4), 0x0378'0004u);
  EXPECT_EQ(dist.read(Gicv3Distributor::GICD_CTLR, 4) & 0x50, 0x50u);
  EXPECT_EQ(redist.read(2 * Gicv3::kGicrStride + Gicv3Redistributors::GICR_TYPER, 8),
            0x2'0100'0210ull);
  EXPECT_EQ(gicr(0, kSgi + 0xC00), 0xAAAA'AAAAu);
}

}  // namespace
}  // namespace tandem

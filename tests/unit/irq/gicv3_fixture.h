// SPDX-License-Identifier: Apache-2.0
// A GICv3 with a fake guest clock, and shorthands for its registers.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>

#include "core/arch/aarch64/sysreg_id.h"
#include "devices/irq/gicv3.h"

namespace tandem::test {

// The guest clock the tests move by hand.
inline uint64_t g_fake_now_ns = 0;
inline uint64_t fake_now_ns() { return g_fake_now_ns; }

class Gicv3Test : public ::testing::Test {
 protected:
  static constexpr uint64_t kRd = 0;
  static constexpr uint64_t kSgi = Gicv3Redistributors::kSgiFrame;

  explicit Gicv3Test(unsigned cpus = 2, Gicv3::TimerMode mode = Gicv3::TimerMode::kModel)
      : gic(cpus, GuestClock{fake_now_ns, 0}, mode) {}
  void SetUp() override { g_fake_now_ns = 0; }

  uint64_t gicd(uint64_t off, unsigned size = 4) { return gic.distributor().read(off, size); }
  void set_gicd(uint64_t off, uint64_t v, unsigned size = 4) {
    gic.distributor().write(off, size, v);
  }
  uint64_t gicr(unsigned cpu, uint64_t off, unsigned size = 4) {
    return gic.redistributors().read(cpu * Gicv3::kGicrStride + off, size);
  }
  void set_gicr(unsigned cpu, uint64_t off, uint64_t v, unsigned size = 4) {
    gic.redistributors().write(cpu * Gicv3::kGicrStride + off, size, v);
  }
  uint64_t icc(unsigned cpu, uint32_t id) {
    uint64_t v = 0xDEAD;
    EXPECT_TRUE(gic.sysreg_read(cpu, id, v)) << std::hex << id;
    return v;
  }
  void icc(unsigned cpu, uint32_t id, uint64_t v) {
    EXPECT_TRUE(gic.sysreg_write(cpu, id, v)) << std::hex << id;
  }

  // What a Linux guest does before it takes interrupts: wake the redistributor, enable both
  // groups in GICD_CTLR, unmask all priorities, enable group 1 (and 0) in the CPU interface.
  void init_cpu(unsigned cpu) {
    set_gicr(cpu, Gicv3Redistributors::GICR_WAKER, 0);
    set_gicd(Gicv3Distributor::GICD_CTLR, 0x3);
    icc(cpu, a64::ICC_PMR_EL1, 0xFF);
    icc(cpu, a64::ICC_IGRPEN0_EL1, 1);
    icc(cpu, a64::ICC_IGRPEN1_EL1, 1);
  }
  // SPI `intid`: group 1, enabled, priority `prio`, routed to `cpu`.
  void setup_spi(uint32_t intid, uint8_t prio, unsigned cpu = 0) {
    const uint64_t word = (intid / 32) * 4;
    const uint32_t bit = 1u << (intid % 32);
    set_gicd(0x080 + word, gicd(0x080 + word) | bit);
    set_gicd(0x400 + intid, prio, 1);
    set_gicd(Gicv3Distributor::GICD_IROUTER + 8 * intid, cpu, 8);
    set_gicd(0x100 + word, bit);
  }
  // SGI/PPI `intid` of `cpu`: group 1, enabled, priority `prio`.
  void setup_private(unsigned cpu, uint32_t intid, uint8_t prio) {
    set_gicr(cpu, kSgi + 0x080, gicr(cpu, kSgi + 0x080) | (1u << intid));
    set_gicr(cpu, kSgi + 0x400 + intid, prio, 1);
    set_gicr(cpu, kSgi + 0x100, 1u << intid);
  }

  Gicv3 gic;
};

}  // namespace tandem::test

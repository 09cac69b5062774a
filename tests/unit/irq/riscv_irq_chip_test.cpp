// SPDX-License-Identifier: Apache-2.0
// The riscv64 virt interrupt model: PLIC and CLINT windows, sip levels, SBI timer and IPI.
#include "devices/irq/riscv_irq_chip.h"

#include <gtest/gtest.h>

#include <random>

#include "core/board/board.h"
#include "core/bus/device_bus.h"
#include "core/mm/address_space.h"
#include "unit/mm/test_frame_allocator.h"

namespace tandem {
namespace {

uint64_t g_fake_host_ns = 0;
uint64_t fake_host_now_ns() { return g_fake_host_ns; }

constexpr uint64_t kStart = 1'000'000;   // host time at guest time 0
constexpr uint64_t kPlic = 0x0C00'0000;  // where the virt board places them
constexpr uint64_t kClint = 0x0200'0000;
constexpr uint32_t kUartIrq = 10;

class RiscvIrqChipTest : public ::testing::Test {
 protected:
  RiscvIrqChipTest() { g_fake_host_ns = kStart; }

  void attach() {
    auto space = AddressSpace::create(alloc, Stage2Config::of(Stage2Format::kSv39x4));
    ASSERT_TRUE(space);
    m_space.emplace(std::move(*space));
    ASSERT_TRUE(place(*m_space, bus,
                      {nullptr, &chip.plic_frame(), BusSpace::kMmio, kPlic, 0x60'0000, 0x60'0000}));
    ASSERT_TRUE(place(*m_space, bus,
                      {nullptr, &chip.clint_frame(), BusSpace::kMmio, kClint, 0x1'0000, 0x1'0000}));
  }
  uint64_t rd(uint64_t addr, unsigned size = 4) {
    uint64_t v = ~uint64_t{0};
    EXPECT_TRUE(bus.read(BusSpace::kMmio, addr, size, v)) << std::hex << addr;
    return v;
  }
  void wr(uint64_t addr, uint64_t value, unsigned size = 4) {
    EXPECT_TRUE(bus.write(BusSpace::kMmio, addr, size, value)) << std::hex << addr;
  }
  // Source `id` at priority 1, enabled for hart `hart`'s S context.
  void route(uint32_t id, unsigned hart) {
    wr(kPlic + 4 * id, 1);
    wr(kPlic + 0x2000 + 0x80 * (2 * hart + 1) + 4 * (id / 32), 1u << (id % 32));
  }

  test::TestFrameAllocator alloc{64};
  std::optional<AddressSpace> m_space;
  DeviceBus bus;
  RiscvIrqChip chip{2, GuestClock{fake_host_now_ns, kStart}};
};

TEST_F(RiscvIrqChipTest, AttachMapsThePlicAndClintWindows) {
  attach();
  for (uint64_t base : {kPlic, kClint}) {
    const Region* r = m_space->find(Gpa(base));
    ASSERT_NE(r, nullptr) << std::hex << base;
    EXPECT_EQ(r->kind, RegionKind::kMmio);
  }
  EXPECT_EQ(m_space->find(Gpa(kPlic))->size, 0x60'0000u);
  EXPECT_EQ(m_space->find(Gpa(kClint))->size, 0x1'0000u);
  EXPECT_EQ(bus.find(BusSpace::kMmio, kPlic + 0x5F'FFFC).size, 0x60'0000u);
  EXPECT_EQ(bus.find(BusSpace::kMmio, kClint + 0xBFF8).size, 0x1'0000u);
  EXPECT_EQ(bus.find(BusSpace::kMmio, kPlic + 0x60'0000).device, nullptr);
  EXPECT_STREQ(chip.name(), "riscv-plic-clint");
}

TEST_F(RiscvIrqChipTest, SeipFollowsTheHartsSupervisorContext) {
  attach();
  route(kUartIrq, 1);
  IrqLine uart = chip.line(kUartIrq);
  uart.raise();
  EXPECT_EQ(chip.cpu_lines(0), 0u);
  EXPECT_EQ(chip.cpu_lines(1), cpu_irq::kSeip);
  EXPECT_EQ(rd(kPlic + 0x20'0000 + 0x1000 * 3 + 4), kUartIrq);  // claim, hart 1 S context
  EXPECT_EQ(chip.cpu_lines(1), 0u);
  uart.lower();
  wr(kPlic + 0x20'0000 + 0x1000 * 3 + 4, kUartIrq);  // complete
  EXPECT_EQ(chip.cpu_lines(1), 0u);
  EXPECT_EQ(chip.cpu_lines(7), 0u);  // not a hart of this VM
}

TEST_F(RiscvIrqChipTest, TimerIsALevelUntilANewFutureDeadline) {
  EXPECT_EQ(chip.advance(0), kNoDeadline);
  chip.set_timer(0, 0);  // in the past: pending at once
  EXPECT_EQ(chip.cpu_lines(0), cpu_irq::kStip);
  EXPECT_EQ(chip.cpu_lines(1), 0u);
  EXPECT_EQ(chip.advance(0), kNoDeadline);  // nothing ahead

  chip.set_timer(0, 50);  // 5 us
  EXPECT_EQ(chip.cpu_lines(0), 0u);
  EXPECT_EQ(chip.advance(0), 5'000u);
  chip.set_timer(1, 20);
  EXPECT_EQ(chip.advance(1'000), 2'000u);

  g_fake_host_ns = kStart + 2'000;
  EXPECT_EQ(chip.advance(2'000), 5'000u);
  EXPECT_EQ(chip.cpu_lines(1), cpu_irq::kStip);
  EXPECT_EQ(chip.cpu_lines(0), 0u);
  g_fake_host_ns = kStart + 9'000;
  EXPECT_EQ(chip.advance(9'000), kNoDeadline);
  EXPECT_EQ(chip.cpu_lines(0), cpu_irq::kStip);
  EXPECT_EQ(chip.cpu_lines(0), cpu_irq::kStip);  // still: a level
  chip.set_timer(0, ~uint64_t{0});               // "infinitely far": clears it
  EXPECT_EQ(chip.cpu_lines(0), 0u);
}

TEST_F(RiscvIrqChipTest, OnlyInputsTheHartEnabledWakeItFromWfi) {
  // Linux's timer handler clears sie.STIE and leaves the due timer pending until it programs
  // the next one: a hart idling in WFI then must not be woken by it (priv spec 3.3.3).
  chip.set_timer(1, 0);
  chip.send_ipi(1);
  EXPECT_EQ(chip.wake_lines(1), cpu_irq::kStip | cpu_irq::kSsip);  // nothing reported yet: all
  chip.set_wake_mask(1, cpu_irq::kSsip | cpu_irq::kSeip);          // sie without STIE
  EXPECT_EQ(chip.cpu_lines(1), cpu_irq::kStip | cpu_irq::kSsip);   // still asserted
  EXPECT_EQ(chip.wake_lines(1), cpu_irq::kSsip);
  chip.edges_delivered(1, cpu_irq::kSsip);
  EXPECT_EQ(chip.wake_lines(1), 0u);
  chip.set_wake_mask(1, cpu_irq::kStip);
  EXPECT_EQ(chip.wake_lines(1), cpu_irq::kStip);
  chip.set_timer(0, 0);
  EXPECT_EQ(chip.wake_lines(0), cpu_irq::kStip);  // hart 0's mask is its own
  EXPECT_EQ(chip.wake_lines(RiscvIrqChip::kMaxHarts), 0u);
}

TEST_F(RiscvIrqChipTest, TimeTicksIsTheTimeCsr) {
  EXPECT_EQ(RiscvIrqChip::kTimebaseHz, 10'000'000u);
  EXPECT_EQ(chip.time_ticks(), 0u);
  g_fake_host_ns = kStart + 1'000'000'000;  // one second
  EXPECT_EQ(chip.time_ticks(), 10'000'000u);
}

TEST_F(RiscvIrqChipTest, SoftIrqsAreEdgesReportedUntilDelivered) {
  attach();
  EXPECT_EQ(chip.edge_lines(), cpu_irq::kSsip);
  chip.send_ipi(1);
  EXPECT_EQ(chip.cpu_lines(0), 0u);
  EXPECT_EQ(chip.cpu_lines(1), cpu_irq::kSsip);
  chip.edges_delivered(1, cpu_irq::kSsip);
  EXPECT_EQ(chip.cpu_lines(1), 0u);
  wr(kClint + 0, 1);  // msip of hart 0
  EXPECT_EQ(chip.cpu_lines(0), cpu_irq::kSsip);
  chip.edges_delivered(0, cpu_irq::kStip);  // not an edge: nothing taken
  EXPECT_EQ(chip.cpu_lines(0), cpu_irq::kSsip);
  chip.edges_delivered(0, cpu_irq::kSsip);
  EXPECT_EQ(chip.cpu_lines(0), 0u);
}

TEST_F(RiscvIrqChipTest, TheTimeCsrReadsAsASystemRegister) {
  g_fake_host_ns = kStart + 2'000;
  uint64_t v = 0;
  EXPECT_TRUE(chip.sysreg_read(0, RiscvIrqChip::kCsrTime, v));
  EXPECT_EQ(v, 20u);
  EXPECT_FALSE(chip.sysreg_read(0, 0xC00, v));
}

TEST_F(RiscvIrqChipTest, SbiCallsReachTheHartsOfTheCaller) {
  class NoPower final : public PowerControl {
   public:
    void system_off(int) override {}
    void system_reset() override {}
  } power;
  SbiContext ctx{power, nullptr, nullptr, &chip, 0};
  const uint64_t set_timer[8] = {100, 0, 0, 0, 0, 0, SBI_TIME_SET_TIMER, SBI_EXT_TIME};
  EXPECT_EQ(sbi_call(set_timer, ctx).error, SBI_SUCCESS);
  EXPECT_EQ(chip.advance(0), 10'000u);
  const uint64_t send_ipi[8] = {1, 0, 0, 0, 0, 0, SBI_IPI_SEND_IPI, SBI_EXT_IPI};
  EXPECT_EQ(sbi_call(send_ipi, ctx).error, SBI_SUCCESS);
  EXPECT_EQ(chip.cpu_lines(0) & cpu_irq::kSsip, cpu_irq::kSsip);
}

// Whatever a guest writes wherever, at any width: no crash, and every output stays in range.
TEST_F(RiscvIrqChipTest, RandomAccessesEverywhere) {
  attach();
  std::mt19937_64 rng(2024);
  const struct {
    uint64_t base, size, step;
  } windows[] = {{kClint, 0x1'0000, 1}, {kPlic, 0x60'0000, 1}};
  for (const auto& w : windows) {
    for (uint64_t off = 0; off < w.size; off += w.step) {
      for (unsigned size : {1u, 2u, 4u, 8u}) {
        if (off + size > w.size) continue;
        const uint64_t value = rng();
        if (value & 1) {
          wr(w.base + off, value, size);
        } else {
          rd(w.base + off, size);
        }
      }
      if (off % 4096 == 0) chip.set_irq_level(static_cast<uint32_t>(rng() % 128), rng() & 1);
    }
  }
  for (unsigned h = 0; h < 2; ++h) {
    EXPECT_EQ(chip.cpu_lines(h) & ~(cpu_irq::kSeip | cpu_irq::kStip | cpu_irq::kSsip), 0u);
    for (unsigned ctx = 2 * h; ctx < 2 * h + 2; ++ctx) {
      EXPECT_LT(rd(kPlic + 0x20'0004 + 0x1000 * ctx), 96u);
    }
  }
}

}  // namespace
}  // namespace tandem

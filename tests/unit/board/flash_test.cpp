// SPDX-License-Identifier: Apache-2.0
// The aarch64 virt board's flash for QEMU's -bios. On a backend that backs RAM on demand (bare
// metal) both banks are such RAM: nothing is filled up front, bank 0 holds the firmware and
// bank 1 reads as erased flash from read-only RAM while its writes come to the erased-flash
// device (QEMU's pflash in read-array mode). Elsewhere bank 0 is allocated RAM and bank 1 the
// device behind a stage-2 hole.
#include <gtest/gtest.h>

#include <optional>
#include <vector>

#include "core/board/boards.h"
#include "core/bus/device_bus.h"
#include "core/mm/address_space.h"
#include "core/mm/guest_memory.h"
#include "core/vm/boot.h"
#include "unit/devices/fakes.h"
#include "unit/mm/test_frame_allocator.h"

namespace tandem {
namespace {

constexpr uint64_t kBank1 = 0x0400'0000;
constexpr uint64_t kBankSize = 64ull << 20;

uint64_t zero_clock() { return 0; }

struct Fixture {
  explicit Fixture(bool on_demand) {
    auto made = slot.create(Arch::kAarch64, nullptr, {power, sink, &zero_clock, on_demand});
    EXPECT_TRUE(made.ok());
    board = *made;
    auto created = AddressSpace::create(alloc, board->layout().stage2);
    EXPECT_TRUE(created.ok());
    space.emplace(std::move(*created));
  }

  test::FakePower power;
  test::StringSink sink;
  BoardSlot slot;
  Board* board = nullptr;
  test::TestFrameAllocator alloc{65536};
  std::optional<AddressSpace> space;
  DeviceBus bus;
  const std::vector<uint8_t> firmware{0x01, 0x02, 0x03, 0x04};
};

TEST(VirtAarch64Flash, OnDemandBanksAreRamAndBank1WritesReachTheDevice) {
  Fixture fx(true);
  ASSERT_TRUE(fx.board->load_firmware(*fx.space, fx.bus, fx.firmware).ok());
  const Region* bank0 = fx.space->find(Gpa(0));
  const Region* bank1 = fx.space->find(Gpa(kBank1));
  ASSERT_NE(bank0, nullptr);
  ASSERT_NE(bank1, nullptr);
  EXPECT_EQ(bank0->backing, RamBacking::kOnDemand);
  EXPECT_EQ(bank0->flags, kMemRx);
  EXPECT_EQ(bank1->kind, RegionKind::kRam);
  EXPECT_EQ(bank1->backing, RamBacking::kOnDemand);
  EXPECT_EQ(bank1->flags, kMemRo);
  EXPECT_EQ(bank1->size, kBankSize);
  GuestMemory mem(*fx.space);
  std::vector<uint8_t> got(fx.firmware.size());
  ASSERT_TRUE(mem.read(Gpa(0), got).ok());
  EXPECT_EQ(got, fx.firmware);
  // Erased: every byte 0xff, the environment's last word as much as its first.
  EXPECT_EQ(*mem.read_obj<uint64_t>(Gpa(kBank1)), ~uint64_t{0});
  EXPECT_EQ(*mem.read_obj<uint32_t>(Gpa(kBank1 + 0x3'fffc)), 0xffff'ffffu);
  // Only the blocks touched are backed.
  EXPECT_TRUE(fx.space->stage2().translate(Gpa(0)).ok());
  EXPECT_EQ(fx.space->stage2().translate(Gpa(32ull << 20)).error(), Status::kNotMapped);
  EXPECT_EQ(fx.space->stage2().translate(Gpa(kBank1 + (32ull << 20))).error(), Status::kNotMapped);
  // A write the stage-2 permission check turns back goes to the erased-flash device.
  const BusHit hit = fx.bus.find(BusSpace::kMmio, kBank1 + 0x10);
  ASSERT_NE(hit.device, nullptr);
  EXPECT_STREQ(hit.device->name(), "erased-flash");
  EXPECT_EQ(hit.offset, 0x10u);
}

TEST(VirtAarch64Flash, Bank1IsTheDeviceBehindAHoleElsewhere) {
  Fixture fx(false);
  ASSERT_TRUE(fx.board->load_firmware(*fx.space, fx.bus, fx.firmware).ok());
  EXPECT_EQ(fx.space->find(Gpa(0))->backing, RamBacking::kOwned);
  const Region* bank1 = fx.space->find(Gpa(kBank1));
  ASSERT_NE(bank1, nullptr);
  EXPECT_EQ(bank1->kind, RegionKind::kMmio);
  const BusHit hit = fx.bus.find(BusSpace::kMmio, kBank1 + 0x3'fffc);
  ASSERT_NE(hit.device, nullptr);
  EXPECT_EQ(hit.device->read(hit.offset, 4), 0xffff'ffffu);
}

}  // namespace
}  // namespace tandem

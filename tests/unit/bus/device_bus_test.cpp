// SPDX-License-Identifier: Apache-2.0
#include "core/bus/device_bus.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <vector>

namespace tandem {
namespace {

// Records the last access and answers reads with a value derived from the offset.
class ProbeDevice final : public Device {
 public:
  const char* name() const override { return "probe"; }
  uint64_t read(uint64_t offset, unsigned size) override {
    ++reads;
    last_offset = offset;
    last_size = size;
    return 0xABCD0000 + offset;
  }
  void write(uint64_t offset, unsigned size, uint64_t value) override {
    ++writes;
    last_offset = offset;
    last_size = size;
    last_value = value;
  }
  int reads = 0;
  int writes = 0;
  uint64_t last_offset = ~0ull;
  unsigned last_size = 0;
  uint64_t last_value = 0;
};

TEST(DeviceBus, AdjacentRangesAreAccepted) {
  DeviceBus bus;
  ProbeDevice a, b, c;
  ASSERT_TRUE(bus.add(BusSpace::kMmio, 0x1000, 0x100, a).ok());
  EXPECT_TRUE(bus.add(BusSpace::kMmio, 0x1100, 0x100, b).ok());  // starts right after a
  EXPECT_TRUE(bus.add(BusSpace::kMmio, 0x0F00, 0x100, c).ok());  // ends right before a
  EXPECT_EQ(bus.count(BusSpace::kMmio), 3u);
  EXPECT_EQ(bus.find(BusSpace::kMmio, 0x10FF).device, &a);
  EXPECT_EQ(bus.find(BusSpace::kMmio, 0x1100).device, &b);
  EXPECT_EQ(bus.find(BusSpace::kMmio, 0x0FFF).device, &c);
}

TEST(DeviceBus, OneByteOverlapIsRefusedAtEitherEdge) {
  DeviceBus bus;
  ProbeDevice a, b;
  ASSERT_TRUE(bus.add(BusSpace::kMmio, 0x1000, 0x100, a).ok());
  // Last byte of the new range is the first byte of a.
  EXPECT_EQ(bus.add(BusSpace::kMmio, 0x0F01, 0x100, b).error(), Status::kOverlap);
  // First byte of the new range is the last byte of a.
  EXPECT_EQ(bus.add(BusSpace::kMmio, 0x10FF, 0x10, b).error(), Status::kOverlap);
  EXPECT_EQ(bus.add(BusSpace::kMmio, 0x10FF, 1, b).error(), Status::kOverlap);
  // Containing and contained ranges.
  EXPECT_EQ(bus.add(BusSpace::kMmio, 0x0800, 0x1000, b).error(), Status::kOverlap);
  EXPECT_EQ(bus.add(BusSpace::kMmio, 0x1010, 0x10, b).error(), Status::kOverlap);
  EXPECT_EQ(bus.add(BusSpace::kMmio, 0x1000, 0x100, b).error(), Status::kOverlap);
  EXPECT_EQ(bus.count(BusSpace::kMmio), 1u);
}

TEST(DeviceBus, SpacesAreIndependent) {
  DeviceBus bus;
  ProbeDevice mmio, port, sysreg;
  ASSERT_TRUE(bus.add(BusSpace::kMmio, 0x3F8, 8, mmio).ok());
  ASSERT_TRUE(bus.add(BusSpace::kPort, 0x3F8, 8, port).ok());
  ASSERT_TRUE(bus.add(BusSpace::kSysReg, 0x3F8, 8, sysreg).ok());
  EXPECT_EQ(bus.find(BusSpace::kMmio, 0x3F8).device, &mmio);
  EXPECT_EQ(bus.find(BusSpace::kPort, 0x3F8).device, &port);
  EXPECT_EQ(bus.find(BusSpace::kSysReg, 0x3F8).device, &sysreg);
}

TEST(DeviceBus, EmptyAndWrappingRangesAreInvalid) {
  DeviceBus bus;
  ProbeDevice d;
  EXPECT_EQ(bus.add(BusSpace::kMmio, 0x1000, 0, d).error(), Status::kInvalidArgument);
  EXPECT_EQ(bus.add(BusSpace::kMmio, ~0ull, 2, d).error(), Status::kInvalidArgument);
  EXPECT_EQ(bus.add(BusSpace::kMmio, ~0ull - 0xFF, 0x101, d).error(), Status::kInvalidArgument);
  // A range ending exactly at 2^64 is fine.
  ASSERT_TRUE(bus.add(BusSpace::kMmio, ~0ull - 0xFF, 0x100, d).ok());
  BusHit hit = bus.find(BusSpace::kMmio, ~0ull);
  EXPECT_EQ(hit.device, &d);
  EXPECT_EQ(hit.offset, 0xFFu);
  EXPECT_EQ(bus.count(BusSpace::kMmio), 1u);
}

TEST(DeviceBus, LookupAtFirstAndLastByteAndOnePast) {
  DeviceBus bus;
  ProbeDevice d;
  ASSERT_TRUE(bus.add(BusSpace::kMmio, 0x0900'0000, 0x1000, d).ok());
  BusHit first = bus.find(BusSpace::kMmio, 0x0900'0000);
  EXPECT_EQ(first.device, &d);
  EXPECT_EQ(first.offset, 0u);
  EXPECT_EQ(first.base, 0x0900'0000u);
  EXPECT_EQ(first.size, 0x1000u);
  BusHit last = bus.find(BusSpace::kMmio, 0x0900'0FFF);
  EXPECT_EQ(last.device, &d);
  EXPECT_EQ(last.offset, 0xFFFu);
  EXPECT_EQ(bus.find(BusSpace::kMmio, 0x0900'1000).device, nullptr);
  EXPECT_EQ(bus.find(BusSpace::kMmio, 0x08FF'FFFF).device, nullptr);
  EXPECT_EQ(bus.find(BusSpace::kMmio, 0).device, nullptr);
  EXPECT_EQ(bus.find(BusSpace::kMmio, ~0ull).device, nullptr);
}

TEST(DeviceBus, ManyRangesInRandomOrderAreAllFound) {
  DeviceBus bus;
  std::vector<ProbeDevice> devs(DeviceBus::kMaxRanges);
  // Ranges of varying size with gaps between them: [i*0x1000, i*0x1000 + 0x10 + i).
  std::vector<size_t> order(devs.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::shuffle(order.begin(), order.end(), std::mt19937(1234));
  for (size_t i : order)
    ASSERT_TRUE(bus.add(BusSpace::kMmio, i * 0x1000, 0x10 + i, devs[i]).ok()) << i;
  EXPECT_EQ(bus.count(BusSpace::kMmio), DeviceBus::kMaxRanges);

  for (size_t i = 0; i < devs.size(); ++i) {
    const uint64_t base = i * 0x1000;
    const uint64_t size = 0x10 + i;
    EXPECT_EQ(bus.find(BusSpace::kMmio, base).device, &devs[i]) << i;
    BusHit last = bus.find(BusSpace::kMmio, base + size - 1);
    EXPECT_EQ(last.device, &devs[i]) << i;
    EXPECT_EQ(last.offset, size - 1) << i;
    EXPECT_EQ(bus.find(BusSpace::kMmio, base + size).device, nullptr) << i;
    if (base > 0) {
      EXPECT_EQ(bus.find(BusSpace::kMmio, base - 1).device, nullptr) << i;
    }
  }

  ProbeDevice extra;
  EXPECT_EQ(bus.add(BusSpace::kMmio, 0x1000'0000, 0x10, extra).error(), Status::kCapacity);
  // Full is per space.
  EXPECT_TRUE(bus.add(BusSpace::kPort, 0x1000'0000, 0x10, extra).ok());
}

TEST(DeviceBus, ReadAndWriteUseOffsetsRelativeToTheBase) {
  DeviceBus bus;
  ProbeDevice d;
  ASSERT_TRUE(bus.add(BusSpace::kMmio, 0x1000'0000, 8, d).ok());
  uint64_t out = 0;
  ASSERT_TRUE(bus.read(BusSpace::kMmio, 0x1000'0005, 1, out));
  EXPECT_EQ(out, 0xABCD0005u);
  EXPECT_EQ(d.last_offset, 5u);
  EXPECT_EQ(d.last_size, 1u);
  ASSERT_TRUE(bus.write(BusSpace::kMmio, 0x1000'0004, 4, 0x12345678));
  EXPECT_EQ(d.last_offset, 4u);
  EXPECT_EQ(d.last_size, 4u);
  EXPECT_EQ(d.last_value, 0x12345678u);
  ASSERT_TRUE(bus.read(BusSpace::kMmio, 0x1000'0000, 8, out));  // the whole range
  EXPECT_EQ(out, 0xABCD0000u);
}

TEST(DeviceBus, StraddlingOrMissingAccessIsRefusedWithoutCallingTheDevice) {
  DeviceBus bus;
  ProbeDevice d;
  ASSERT_TRUE(bus.add(BusSpace::kPort, 0x3F8, 8, d).ok());
  uint64_t out = 0x5555;
  EXPECT_FALSE(bus.read(BusSpace::kPort, 0x3FE, 4, out));  // 0x3FE..0x401
  EXPECT_FALSE(bus.read(BusSpace::kPort, 0x3FF, 2, out));
  EXPECT_FALSE(bus.write(BusSpace::kPort, 0x3FD, 4, 1));
  EXPECT_FALSE(bus.read(BusSpace::kPort, 0x400, 1, out));  // no device
  EXPECT_FALSE(bus.write(BusSpace::kPort, 0x3F7, 1, 1));
  EXPECT_FALSE(bus.read(BusSpace::kPort, 0x3F8, 0, out));  // zero-width access
  EXPECT_EQ(out, 0x5555u);                                 // untouched
  EXPECT_EQ(d.reads, 0);
  EXPECT_EQ(d.writes, 0);
  EXPECT_TRUE(bus.read(BusSpace::kPort, 0x3FC, 4, out));  // ends on the last byte
  EXPECT_EQ(d.last_offset, 4u);
}

TEST(DeviceBus, AccessAtTheTopOfTheAddressSpaceDoesNotWrap) {
  DeviceBus bus;
  ProbeDevice low, top;
  ASSERT_TRUE(bus.add(BusSpace::kMmio, 0, 0x10, low).ok());
  ASSERT_TRUE(bus.add(BusSpace::kMmio, ~0ull - 7, 8, top).ok());
  uint64_t out = 0;
  EXPECT_TRUE(bus.read(BusSpace::kMmio, ~0ull - 3, 4, out));
  EXPECT_EQ(top.last_offset, 4u);
  EXPECT_FALSE(bus.read(BusSpace::kMmio, ~0ull, 2, out));  // would wrap into `low`
  EXPECT_EQ(low.reads, 0);
}

// The bus remembers the range of the last access (a hint for the next lookup): accesses that
// alternate between devices, or that follow a hit with one just outside or across its end,
// must still reach exactly the device that holds them, and a range added after the hint was
// taken (which shifts the sorted table under it) must be found too.
TEST(DeviceBus, TheLastHitHintNeverAnswersForAnotherRange) {
  DeviceBus bus;
  ProbeDevice a, b;
  ASSERT_TRUE(bus.add(BusSpace::kMmio, 0x1000, 0x100, a).ok());
  ASSERT_TRUE(bus.add(BusSpace::kMmio, 0x1100, 0x100, b).ok());
  uint64_t out = 0;
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(bus.read(BusSpace::kMmio, 0x10F8, 8, out));
    EXPECT_EQ(a.last_offset, 0xF8u);
    ASSERT_TRUE(bus.read(BusSpace::kMmio, 0x1100, 4, out));
    EXPECT_EQ(b.last_offset, 0u);
  }
  EXPECT_EQ(a.reads, 3);
  EXPECT_EQ(b.reads, 3);
  ASSERT_TRUE(bus.read(BusSpace::kMmio, 0x1100, 4, out));   // hint: b
  EXPECT_FALSE(bus.read(BusSpace::kMmio, 0x11FE, 4, out));  // past b's end
  EXPECT_FALSE(bus.read(BusSpace::kMmio, 0x1200, 1, out));  // after b: nothing
  EXPECT_FALSE(bus.write(BusSpace::kMmio, 0x10FE, 4, 1));   // across a and b
  EXPECT_EQ(b.reads, 4);
  EXPECT_EQ(a.writes + b.writes, 0);
  ProbeDevice c;
  ASSERT_TRUE(bus.add(BusSpace::kMmio, 0x0, 0x100, c).ok());  // sorts before a and b
  ASSERT_TRUE(bus.read(BusSpace::kMmio, 0x1104, 4, out));
  EXPECT_EQ(b.last_offset, 4u);
  ASSERT_TRUE(bus.read(BusSpace::kMmio, 0x10, 1, out));
  EXPECT_EQ(c.last_offset, 0x10u);
  EXPECT_EQ(c.reads, 1);
  EXPECT_EQ(b.reads, 5);
}

}  // namespace
}  // namespace tandem

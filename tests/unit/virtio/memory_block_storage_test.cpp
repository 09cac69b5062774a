// SPDX-License-Identifier: Apache-2.0
// The disk a bare-metal image packs (devices/virtio/memory_block_storage.h): reads and writes
// land in the bytes it was given, ranges outside them and writes to a read-only disk fail
// without touching them.
#include "devices/virtio/memory_block_storage.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

namespace tandem::virtio {
namespace {

TEST(MemoryBlockStorage, ReadsAndWritesItsOwnBytes) {
  std::vector<uint8_t> bytes(4 * 512, 0x11);
  MemoryBlockStorage disk(bytes, false);
  EXPECT_EQ(disk.size(), 2048u);
  EXPECT_FALSE(disk.read_only());
  const std::vector<uint8_t> data(512, 0x7e);
  ASSERT_TRUE(disk.write(1024, data));
  EXPECT_EQ(bytes[1023], 0x11);
  EXPECT_EQ(bytes[1024], 0x7e);
  EXPECT_EQ(bytes[1535], 0x7e);
  EXPECT_EQ(bytes[1536], 0x11);
  std::vector<uint8_t> back(1024);
  ASSERT_TRUE(disk.read(512, back));
  EXPECT_EQ(back[511], 0x11);
  EXPECT_EQ(back[512], 0x7e);
  ASSERT_TRUE(disk.write_zeroes(0, 512));
  ASSERT_TRUE(disk.discard(1536, 512));
  EXPECT_EQ(bytes[0], 0);
  EXPECT_EQ(bytes[511], 0);
  EXPECT_EQ(bytes[512], 0x11);
  EXPECT_EQ(bytes[2047], 0);
  EXPECT_TRUE(disk.flush());
  EXPECT_EQ(std::string(disk.id().data(), disk.id().size()), "tandem-packed-disk");
  EXPECT_LE(disk.id().size(), 20u);  // VIRTIO_BLK_ID_BYTES
}

TEST(MemoryBlockStorage, RefusesRangesOutsideTheDisk) {
  std::vector<uint8_t> bytes(2 * 512, 0x22);
  MemoryBlockStorage disk(bytes, false);
  std::vector<uint8_t> buf(512, 0x33);
  EXPECT_EQ(disk.read(1024, buf).error(), Status::kOutOfRange);
  EXPECT_EQ(disk.write(600, buf).error(), Status::kOutOfRange);
  EXPECT_EQ(disk.write(~uint64_t{0} - 10, buf).error(), Status::kOutOfRange);
  EXPECT_EQ(disk.write_zeroes(512, ~uint64_t{0}).error(), Status::kOutOfRange);
  EXPECT_EQ(buf[0], 0x33);
  for (uint8_t b : bytes) ASSERT_EQ(b, 0x22);
}

TEST(MemoryBlockStorage, ReadOnlyRefusesEveryChange) {
  std::vector<uint8_t> bytes(512, 0x44);
  MemoryBlockStorage disk(bytes, true);
  EXPECT_TRUE(disk.read_only());
  const std::vector<uint8_t> data(512, 0);
  EXPECT_EQ(disk.write(0, data).error(), Status::kPermission);
  EXPECT_EQ(disk.write_zeroes(0, 512).error(), Status::kPermission);
  EXPECT_EQ(disk.discard(0, 512).error(), Status::kPermission);
  std::vector<uint8_t> back(512);
  ASSERT_TRUE(disk.read(0, back));
  EXPECT_EQ(back, bytes);
  for (uint8_t b : bytes) ASSERT_EQ(b, 0x44);
}

}  // namespace
}  // namespace tandem::virtio

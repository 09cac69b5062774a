// SPDX-License-Identifier: Apache-2.0
// virtio-blk requests (virtio 1.2 5.2.6) against an in-memory disk: data, status byte, used
// length and what reached the disk.
#include "devices/virtio/block.h"

#include <array>

#include "virtio_fixture.h"

namespace tandem::test {
namespace {

using vio::Block;

class BlockTest : public VirtioTest {
 protected:
  static constexpr uint64_t kHeader = kData;
  static constexpr uint64_t kBuffer = kData + 0x1000;
  static constexpr uint64_t kStatus = kData + 0x800;

  // header -> [data] -> status; the status byte and the used length.
  std::pair<uint8_t, uint32_t> request(uint32_t type, uint64_t sector, uint32_t data_len,
                                       bool data_writable) {
    const uint32_t header[4] = {type, 0, static_cast<uint32_t>(sector),
                                static_cast<uint32_t>(sector >> 32)};
    write_bytes(kHeader, header, sizeof header);
    const uint8_t poison = 0xee;
    write_bytes(kStatus, &poison, 1);
    uint16_t n = 0;
    put_desc(0, n, kHeader, 16, vio::kDescFNext, n + 1);
    n++;
    if (data_len != 0) {
      put_desc(0, n, kBuffer, data_len,
               static_cast<uint16_t>(vio::kDescFNext | (data_writable ? vio::kDescFWrite : 0)),
               n + 1);
      n++;
    }
    put_desc(0, n, kStatus, 1, vio::kDescFWrite);
    const uint16_t before = used_idx(0);
    make_available(0, 0);
    EXPECT_EQ(used_idx(0), before + 1);
    return {bytes(kStatus, 1)[0], used(0, before).second};
  }

  MemoryDisk m_disk{64};
  Block m_block{m_disk};
};

TEST_F(BlockTest, ConfigSpaceDescribesTheDisk) {
  m_transport.plug(m_block);
  EXPECT_EQ(reg(vio::mmio::kConfig), 64u);     // capacity, low word
  EXPECT_EQ(reg(vio::mmio::kConfig + 4), 0u);  // capacity, high word
  EXPECT_EQ(reg(vio::mmio::kConfig + 12), Block::kSegMax);
  EXPECT_EQ(reg(vio::mmio::kConfig + 20), 512u);  // blk_size
  EXPECT_EQ(m_transport.read(vio::mmio::kConfig + 20, 2), 512u);
  EXPECT_EQ(m_transport.read(vio::mmio::kConfig, 8), 64u);
  EXPECT_EQ(reg(vio::mmio::kConfig + 0x100), 0u);  // past the end
  set_reg(vio::mmio::kDeviceFeaturesSel, 0);
  const uint32_t f = reg(vio::mmio::kDeviceFeatures);
  EXPECT_NE(f & Block::kFFlush, 0u);
  EXPECT_NE(f & Block::kFDiscard, 0u);
  EXPECT_EQ(f & Block::kFRo, 0u);
}

TEST_F(BlockTest, ReadsASector) {
  start(m_block);
  m_disk.bytes[3 * 512] = 'M';
  m_disk.bytes[3 * 512 + 511] = 'Z';
  const auto [status, len] = request(Block::kTIn, 3, 512, true);
  EXPECT_EQ(status, Block::kSOk);
  EXPECT_EQ(len, 513u);  // data and status
  const auto data = bytes(kBuffer, 512);
  EXPECT_EQ(data[0], 'M');
  EXPECT_EQ(data[511], 'Z');
}

TEST_F(BlockTest, WritesSectorsAndFlushes) {
  start(m_block);
  std::array<uint8_t, 1024> data{};
  for (size_t i = 0; i < data.size(); i++) data[i] = static_cast<uint8_t>(i * 7);
  write_bytes(kBuffer, data.data(), data.size());
  const auto [status, len] = request(Block::kTOut, 10, 1024, false);
  EXPECT_EQ(status, Block::kSOk);
  EXPECT_EQ(len, 1u);
  EXPECT_TRUE(std::equal(data.begin(), data.end(), m_disk.bytes.begin() + 10 * 512));
  EXPECT_EQ(request(Block::kTFlush, 0, 0, false).first, Block::kSOk);
  EXPECT_EQ(m_disk.flushes, 1);
}

TEST_F(BlockTest, GetIdIsTheSerialNulPadded) {
  start(m_block);
  const auto [status, len] = request(Block::kTGetId, 0, 20, true);
  EXPECT_EQ(status, Block::kSOk);
  EXPECT_EQ(len, 21u);
  const auto id = bytes(kBuffer, 20);
  EXPECT_EQ(std::string(id.begin(), id.begin() + 11), "disk-serial");
  EXPECT_EQ(id[11], 0);
}

TEST_F(BlockTest, DiscardAndWriteZeroesTakeSegments) {
  start(m_block);
  m_disk.bytes.assign(m_disk.bytes.size(), 0xaa);
  const uint32_t seg[4] = {4, 0, 2, 0};  // sector 4, 2 sectors, no flags
  write_bytes(kBuffer, seg, sizeof seg);
  EXPECT_EQ(request(Block::kTDiscard, 0, 16, false).first, Block::kSOk);
  ASSERT_EQ(m_disk.discards.size(), 1u);
  EXPECT_EQ(m_disk.discards[0], (std::pair<uint64_t, uint64_t>{2048, 1024}));
  EXPECT_EQ(request(Block::kTWriteZeroes, 0, 16, false).first, Block::kSOk);
  EXPECT_EQ(m_disk.bytes[4 * 512 - 1], 0xaa);
  EXPECT_EQ(m_disk.bytes[4 * 512], 0);
  EXPECT_EQ(m_disk.bytes[6 * 512 - 1], 0);
  EXPECT_EQ(m_disk.bytes[6 * 512], 0xaa);
  const uint32_t unmap[4] = {4, 0, 2, 1};  // 5.2.6.2: discard with unmap is unsupported
  write_bytes(kBuffer, unmap, sizeof unmap);
  EXPECT_EQ(request(Block::kTDiscard, 0, 16, false).first, Block::kSUnsupp);
}

TEST_F(BlockTest, OutOfRangeAndPartialSectorsFailWithIoErr) {
  start(m_block);
  EXPECT_EQ(request(Block::kTIn, 64, 512, true).first, Block::kSIoErr);     // past the end
  EXPECT_EQ(request(Block::kTIn, 63, 1024, true).first, Block::kSIoErr);    // runs over it
  EXPECT_EQ(request(Block::kTIn, ~0ull, 512, true).first, Block::kSIoErr);  // would wrap
  EXPECT_EQ(request(Block::kTOut, 0, 100, false).first, Block::kSIoErr);
  const uint32_t seg[4] = {60, 0, 8, 0};
  write_bytes(kBuffer, seg, sizeof seg);
  EXPECT_EQ(request(Block::kTWriteZeroes, 0, 16, false).first, Block::kSIoErr);
  EXPECT_EQ(m_disk.writes, 0);
  EXPECT_EQ(request(Block::kTIn, 63, 512, true).first, Block::kSOk);  // the last sector
}

TEST_F(BlockTest, UnknownRequestTypeIsUnsupported) {
  start(m_block);
  EXPECT_EQ(request(99, 0, 0, false).first, Block::kSUnsupp);
}

TEST_F(BlockTest, ReadOnlyDiskRefusesWrites) {
  MemoryDisk disk(8, true);
  Block block(disk);
  m_transport.plug(block);
  set_reg(vio::mmio::kDeviceFeaturesSel, 0);
  const uint32_t f = reg(vio::mmio::kDeviceFeatures);
  EXPECT_NE(f & Block::kFRo, 0u);
  EXPECT_EQ(f & (Block::kFDiscard | Block::kFWriteZeroes), 0u);
  ASSERT_TRUE(negotiate(vio::kFVersion1 | Block::kFRo));
  setup_queue(0);
  driver_ok();
  EXPECT_EQ(request(Block::kTOut, 0, 512, false).first, Block::kSIoErr);
  EXPECT_EQ(disk.writes, 0);
  EXPECT_EQ(request(Block::kTIn, 0, 512, true).first, Block::kSOk);
}

TEST_F(BlockTest, RequestWithoutRoomForStatusIsReturnedUnwritten) {
  start(m_block);
  put_desc(0, 0, kHeader, 16, 0);  // header only: no status byte
  make_available(0, 0);
  ASSERT_EQ(used_idx(0), 1u);
  EXPECT_EQ(used(0, 0).second, 0u);
  EXPECT_FALSE(needs_reset());
}

}  // namespace
}  // namespace tandem::test

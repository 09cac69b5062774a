// SPDX-License-Identifier: Apache-2.0
// virtio-blk (virtio 1.2 5.2): one request queue; each request is a 16-byte header (type,
// reserved, sector), data, and a status byte the device writes last. Supported: IN, OUT,
// FLUSH, GET_ID, DISCARD and WRITE_ZEROES (segments of {sector, num_sectors, flags}); a
// read-only disk offers VIRTIO_BLK_F_RO and neither DISCARD nor WRITE_ZEROES and fails writes
// with IOERR. A request outside the disk, with data not a whole number of sectors or a host
// I/O error gets IOERR; an unknown type UNSUPP. A request too short to hold a header and a
// status byte is returned with nothing written.
#pragma once

#include <cstdint>

#include "devices/virtio/block_storage.h"
#include "devices/virtio/virtio_device.h"

namespace tandem::virtio {

class Block final : public VirtioDevice {
 public:
  static constexpr uint32_t kSectorSize = 512;
  // Feature bits (5.2.3).
  static constexpr uint64_t kFSegMax = uint64_t{1} << 2;
  static constexpr uint64_t kFRo = uint64_t{1} << 5;
  static constexpr uint64_t kFBlkSize = uint64_t{1} << 6;
  static constexpr uint64_t kFFlush = uint64_t{1} << 9;
  static constexpr uint64_t kFDiscard = uint64_t{1} << 13;
  static constexpr uint64_t kFWriteZeroes = uint64_t{1} << 14;
  // Request types and status values (5.2.6).
  static constexpr uint32_t kTIn = 0;
  static constexpr uint32_t kTOut = 1;
  static constexpr uint32_t kTFlush = 4;
  static constexpr uint32_t kTGetId = 8;
  static constexpr uint32_t kTDiscard = 11;
  static constexpr uint32_t kTWriteZeroes = 13;
  static constexpr uint8_t kSOk = 0;
  static constexpr uint8_t kSIoErr = 1;
  static constexpr uint8_t kSUnsupp = 2;
  // Limits the configuration space announces.
  static constexpr uint32_t kSegMax = Virtqueue::kMaxSize - 2;
  static constexpr uint32_t kMaxDiscardSectors = 1u << 22;  // 2 GiB per segment
  static constexpr uint32_t kMaxDiscardSegments = 32;

  explicit Block(BlockStorage& storage) : m_storage(storage) {}

  const char* name() const override { return "virtio-blk"; }
  DeviceId device_id() const override { return DeviceId::kBlock; }
  uint64_t device_features() const override;
  unsigned queue_count() const override { return 1; }
  uint32_t config_read(uint32_t offset, unsigned size) const override;
  [[nodiscard]] Result<void> process(unsigned index, Virtqueue& queue) override;

 private:
  struct Header {
    uint32_t type;
    uint32_t reserved;
    uint64_t sector;
  };
  // A DISCARD or WRITE_ZEROES segment (5.2.6: struct virtio_blk_discard_write_zeroes).
  struct Segment {
    uint64_t sector;
    uint32_t num_sectors;
    uint32_t flags;
  };

  // Carries out one request; the status to write, or an error for a broken queue.
  Result<uint8_t> execute(DescChain& chain, const Header& h, uint32_t data_out, uint32_t data_in);
  Result<uint8_t> transfer_in(DescChain& chain, uint64_t offset, uint32_t size);
  Result<uint8_t> transfer_out(DescChain& chain, uint64_t offset, uint32_t size);
  Result<uint8_t> segments(DescChain& chain, uint32_t type, uint32_t size);
  Result<uint8_t> get_id(DescChain& chain, uint32_t size);
  bool in_range(uint64_t sector, uint64_t bytes) const;

  BlockStorage& m_storage;
  uint8_t m_buffer[16 * 1024] = {};
};

}  // namespace tandem::virtio

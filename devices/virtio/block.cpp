// SPDX-License-Identifier: Apache-2.0
#include "devices/virtio/block.h"

#include <array>
#include <bit>

#include "core/base/le_bytes.h"

namespace tandem::virtio {
namespace {

// 5.2.4 struct virtio_blk_config offsets.
enum ConfigOffset : uint32_t {
  kOffCapacity = 0,
  kOffSegMax = 12,
  kOffBlkSize = 20,
  kOffMaxDiscardSectors = 36,
  kOffMaxDiscardSeg = 40,
  kOffDiscardSectorAlignment = 44,
  kOffMaxWriteZeroesSectors = 48,
  kOffMaxWriteZeroesSeg = 52,
  kOffEnd = 60,
};

constexpr uint32_t kSegmentUnmap = 1;

}  // namespace

uint64_t Block::device_features() const {
  const uint64_t common = kFSegMax | kFBlkSize | kFFlush;
  return m_storage.read_only() ? common | kFRo : common | kFDiscard | kFWriteZeroes;
}

uint32_t Block::config_read(uint32_t offset, unsigned size) const {
  uint8_t c[kOffEnd] = {};
  store_le(c + kOffCapacity, m_storage.size() / kSectorSize, 8);
  store_le(c + kOffSegMax, kSegMax, 4);
  store_le(c + kOffBlkSize, kSectorSize, 4);
  store_le(c + kOffMaxDiscardSectors, kMaxDiscardSectors, 4);
  store_le(c + kOffMaxDiscardSeg, kMaxDiscardSegments, 4);
  store_le(c + kOffDiscardSectorAlignment, 1, 4);
  store_le(c + kOffMaxWriteZeroesSectors, kMaxDiscardSectors, 4);
  store_le(c + kOffMaxWriteZeroesSeg, kMaxDiscardSegments, 4);
  if (offset >= kOffEnd || size > kOffEnd - offset) return 0;
  return static_cast<uint32_t>(load_le(c + offset, size));
}

bool Block::in_range(uint64_t sector, uint64_t bytes) const {
  const uint64_t sectors = m_storage.size() / kSectorSize;
  return sector <= sectors && bytes / kSectorSize <= sectors - sector;
}

Result<void> Block::process(unsigned index, Virtqueue& queue) {
  (void)index;
  DescChain chain;
  while (TRY(queue.pop(chain))) {
    if (chain.readable() < sizeof(Header) || chain.writable() < 1) {
      TRY(queue.push(chain.head(), 0));  // nowhere to put a status: failed as a whole
      continue;
    }
    std::array<uint8_t, sizeof(Header)> raw{};
    TRY(chain.read(raw));
    const auto h = std::bit_cast<Header>(raw);
    const uint32_t data_in = chain.writable() - 1;
    const uint8_t status =
        TRY(execute(chain, h, chain.readable() - static_cast<uint32_t>(sizeof(Header)), data_in));
    // The status byte is the last writable byte, whatever the request wrote before it.
    if (chain.written() <= data_in) TRY(chain.skip_writable(data_in - chain.written()));
    TRY(chain.write({&status, 1}));
    TRY(queue.push(chain.head(), chain.written()));
  }
  return ok();
}

Result<uint8_t> Block::execute(DescChain& chain, const Header& h, uint32_t data_out,
                               uint32_t data_in) {
  switch (h.type) {
    case kTIn:
      if (data_in % kSectorSize != 0 || !in_range(h.sector, data_in)) return kSIoErr;
      return transfer_in(chain, h.sector * kSectorSize, data_in);
    case kTOut:
      if (m_storage.read_only() || data_out % kSectorSize != 0 || !in_range(h.sector, data_out))
        return kSIoErr;
      return transfer_out(chain, h.sector * kSectorSize, data_out);
    case kTFlush: return m_storage.flush() ? kSOk : kSIoErr;
    case kTGetId: return get_id(chain, data_in);
    case kTDiscard:
    case kTWriteZeroes:
      if (m_storage.read_only()) return kSIoErr;
      return segments(chain, h.type, data_out);
    default: return kSUnsupp;
  }
}

Result<uint8_t> Block::transfer_in(DescChain& chain, uint64_t offset, uint32_t size) {
  for (uint32_t done = 0; done < size;) {
    const uint32_t n = size - done < sizeof m_buffer ? size - done : sizeof m_buffer;
    if (!m_storage.read(offset + done, {m_buffer, n})) return kSIoErr;
    TRY(chain.write({m_buffer, n}));
    done += n;
  }
  return kSOk;
}

Result<uint8_t> Block::transfer_out(DescChain& chain, uint64_t offset, uint32_t size) {
  for (uint32_t done = 0; done < size;) {
    const uint32_t n = size - done < sizeof m_buffer ? size - done : sizeof m_buffer;
    if (TRY(chain.read({m_buffer, n})) != n) return kSIoErr;
    if (!m_storage.write(offset + done, {m_buffer, n})) return kSIoErr;
    done += n;
  }
  return kSOk;
}

Result<uint8_t> Block::segments(DescChain& chain, uint32_t type, uint32_t size) {
  if (size == 0 || size % sizeof(Segment) != 0 || size / sizeof(Segment) > kMaxDiscardSegments)
    return kSIoErr;
  for (uint32_t i = 0; i < size / sizeof(Segment); i++) {
    std::array<uint8_t, sizeof(Segment)> raw{};
    if (TRY(chain.read(raw)) != raw.size()) return kSIoErr;
    const auto s = std::bit_cast<Segment>(raw);
    // 5.2.6.2: a discard with the unmap flag, or any unknown flag, is not supported.
    if ((type == kTDiscard && s.flags != 0) || (s.flags & ~kSegmentUnmap) != 0) return kSUnsupp;
    if (s.num_sectors > kMaxDiscardSectors || !in_range(s.sector, uint64_t{s.num_sectors} * 512))
      return kSIoErr;
    const uint64_t offset = s.sector * kSectorSize;
    const uint64_t bytes = uint64_t{s.num_sectors} * kSectorSize;
    const bool done = type == kTDiscard ? m_storage.discard(offset, bytes).ok()
                                        : m_storage.write_zeroes(offset, bytes).ok();
    if (!done) return kSIoErr;
  }
  return kSOk;
}

// 5.2.6: a 20-byte serial, NUL-padded (not terminated when it fills all 20).
Result<uint8_t> Block::get_id(DescChain& chain, uint32_t size) {
  constexpr uint32_t kIdBytes = 20;
  uint8_t id[kIdBytes] = {};
  const std::span<const char> serial = m_storage.id();
  for (size_t i = 0; i < serial.size() && i < kIdBytes; i++)
    id[i] = static_cast<uint8_t>(serial[i]);
  TRY(chain.write({id, size < kIdBytes ? size : kIdBytes}));
  return kSOk;
}

}  // namespace tandem::virtio

// SPDX-License-Identifier: Apache-2.0
// A virtio-blk disk held in memory: a bare-metal image's packed disk (`tandem build-image
// --drive`), whose bytes are the image's own RAM. Writes change those bytes and nothing else,
// so they last until the machine is reset or powered off; FLUSH has nothing to do, DISCARD and
// WRITE_ZEROES zero the range.
#pragma once

#include <cstdint>
#include <span>

#include "devices/virtio/block_storage.h"

namespace tandem::virtio {

class MemoryBlockStorage final : public BlockStorage {
 public:
  // `bytes`: a whole number of 512-byte sectors, alive as long as the device.
  MemoryBlockStorage(std::span<uint8_t> bytes, bool read_only)
      : m_bytes(bytes), m_read_only(read_only) {}

  uint64_t size() const override { return m_bytes.size(); }
  bool read_only() const override { return m_read_only; }
  [[nodiscard]] Result<void> read(uint64_t offset, std::span<uint8_t> out) override;
  [[nodiscard]] Result<void> write(uint64_t offset, std::span<const uint8_t> in) override;
  [[nodiscard]] Result<void> flush() override { return ok(); }
  [[nodiscard]] Result<void> discard(uint64_t offset, uint64_t size) override {
    return write_zeroes(offset, size);
  }
  [[nodiscard]] Result<void> write_zeroes(uint64_t offset, uint64_t size) override;
  std::span<const char> id() const override { return {kId, sizeof kId - 1}; }

 private:
  static constexpr char kId[] = "tandem-packed-disk";

  // [offset, offset + size) inside the disk.
  bool inside(uint64_t offset, uint64_t size) const {
    return offset <= m_bytes.size() && size <= m_bytes.size() - offset;
  }

  std::span<uint8_t> m_bytes;
  bool m_read_only;
};

}  // namespace tandem::virtio

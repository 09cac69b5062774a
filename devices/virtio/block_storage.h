// SPDX-License-Identifier: Apache-2.0
// What a virtio-blk device stores its sectors in: a raw image file on a Linux host, an image
// packed into RAM on a board. Offsets and sizes are bytes, whole 512-byte sectors, inside
// size(); an error is a host I/O failure (the guest sees VIRTIO_BLK_S_IOERR).
#pragma once

#include <cstdint>
#include <span>

#include "core/base/result.h"

namespace tandem::virtio {

class BlockStorage {
 public:
  virtual uint64_t size() const = 0;  // a multiple of 512
  virtual bool read_only() const = 0;
  [[nodiscard]] virtual Result<void> read(uint64_t offset, std::span<uint8_t> out) = 0;
  [[nodiscard]] virtual Result<void> write(uint64_t offset, std::span<const uint8_t> in) = 0;
  [[nodiscard]] virtual Result<void> flush() = 0;
  // The range's contents are no longer needed (they may read back as anything).
  [[nodiscard]] virtual Result<void> discard(uint64_t offset, uint64_t size) = 0;
  [[nodiscard]] virtual Result<void> write_zeroes(uint64_t offset, uint64_t size) = 0;
  // The disk's serial number for VIRTIO_BLK_T_GET_ID: at most 20 bytes.
  virtual std::span<const char> id() const = 0;

 protected:
  ~BlockStorage() = default;
};

}  // namespace tandem::virtio

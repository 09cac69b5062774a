// SPDX-License-Identifier: Apache-2.0
// A virtio-blk disk backed by a raw image file (`--drive file=...`): pread/pwrite at the
// guest's offsets, fdatasync for FLUSH, hole punching for DISCARD and zero ranges for
// WRITE_ZEROES (plain zero writes where the file system has neither). The file's size must be
// a whole number of 512-byte sectors.
#pragma once

#include <memory>
#include <string>

#include "devices/virtio/block_storage.h"

namespace tandem::hosted {

class FileBlockStorage final : public virtio::BlockStorage {
 public:
  // Opens `path` (read-only when asked); null with a one-line reason in `error`.
  static std::unique_ptr<FileBlockStorage> open(const std::string& path, bool read_only,
                                                std::string& error);
  ~FileBlockStorage();
  FileBlockStorage(const FileBlockStorage&) = delete;
  FileBlockStorage& operator=(const FileBlockStorage&) = delete;

  uint64_t size() const override { return m_size; }
  bool read_only() const override { return m_read_only; }
  [[nodiscard]] Result<void> read(uint64_t offset, std::span<uint8_t> out) override;
  [[nodiscard]] Result<void> write(uint64_t offset, std::span<const uint8_t> in) override;
  [[nodiscard]] Result<void> flush() override;
  [[nodiscard]] Result<void> discard(uint64_t offset, uint64_t size) override;
  [[nodiscard]] Result<void> write_zeroes(uint64_t offset, uint64_t size) override;
  std::span<const char> id() const override { return {m_id.data(), m_id.size()}; }

 private:
  FileBlockStorage(int fd, uint64_t size, bool read_only, std::string id)
      : m_fd(fd), m_size(size), m_read_only(read_only), m_id(std::move(id)) {}

  int m_fd;
  uint64_t m_size;
  bool m_read_only;
  std::string m_id;
};

}  // namespace tandem::hosted

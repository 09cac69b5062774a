// SPDX-License-Identifier: Apache-2.0
#include "backends/hosted/file_block_storage.h"

#include <fcntl.h>
#include <linux/falloc.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace tandem::hosted {
namespace {

constexpr size_t kIdBytes = 20;  // VIRTIO_BLK_ID_BYTES

}  // namespace

std::unique_ptr<FileBlockStorage> FileBlockStorage::open(const std::string& path, bool read_only,
                                                         std::string& error) {
  const int fd = ::open(path.c_str(), (read_only ? O_RDONLY : O_RDWR) | O_CLOEXEC);
  if (fd < 0) {
    error = path + ": " + std::strerror(errno);
    return nullptr;
  }
  struct stat st {};
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    error = path + ": not a regular file (a raw disk image is needed)";
    ::close(fd);
    return nullptr;
  }
  const auto size = static_cast<uint64_t>(st.st_size);
  if (size == 0 || size % 512 != 0) {
    error = path + ": its size (" + std::to_string(size) +
            " bytes) is not a non-zero multiple of 512 bytes (whole disk sectors); pad it, "
            "e.g. truncate -s %512 " +
            path;
    ::close(fd);
    return nullptr;
  }
  // The serial number: the file's name, as much of it as fits.
  std::string id = path.substr(path.find_last_of('/') + 1);
  if (id.size() > kIdBytes) id.resize(kIdBytes);
  return std::unique_ptr<FileBlockStorage>(new FileBlockStorage(fd, size, read_only, id));
}

FileBlockStorage::~FileBlockStorage() { ::close(m_fd); }

Result<void> FileBlockStorage::read(uint64_t offset, std::span<uint8_t> out) {
  for (size_t done = 0; done < out.size();) {
    const ssize_t n =
        pread(m_fd, out.data() + done, out.size() - done, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return Error(Status::kBackend);
    done += static_cast<size_t>(n);
  }
  return ok();
}

Result<void> FileBlockStorage::write(uint64_t offset, std::span<const uint8_t> in) {
  if (m_read_only) return Error(Status::kPermission);
  for (size_t done = 0; done < in.size();) {
    const ssize_t n =
        pwrite(m_fd, in.data() + done, in.size() - done, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return Error(Status::kBackend);
    done += static_cast<size_t>(n);
  }
  return ok();
}

Result<void> FileBlockStorage::flush() {
  if (m_read_only) return ok();
  return fdatasync(m_fd) == 0 ? ok() : Error(Status::kBackend);
}

Result<void> FileBlockStorage::discard(uint64_t offset, uint64_t size) {
  if (m_read_only) return Error(Status::kPermission);
  // Best effort: a file system without holes keeps the data, which DISCARD allows.
  (void)fallocate(m_fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, static_cast<off_t>(offset),
                  static_cast<off_t>(size));
  return ok();
}

Result<void> FileBlockStorage::write_zeroes(uint64_t offset, uint64_t size) {
  if (m_read_only) return Error(Status::kPermission);
  if (fallocate(m_fd, FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE, static_cast<off_t>(offset),
                static_cast<off_t>(size)) == 0)
    return ok();
  const std::vector<uint8_t> zeros(size_t{64} * 1024, 0);
  for (uint64_t done = 0; done < size;) {
    const uint64_t n = size - done < zeros.size() ? size - done : zeros.size();
    TRY(write(offset + done, {zeros.data(), static_cast<size_t>(n)}));
    done += n;
  }
  return ok();
}

}  // namespace tandem::hosted

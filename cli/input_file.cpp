// SPDX-License-Identifier: Apache-2.0
#include "cli/input_file.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace tandem::cli {
namespace {

const char* kind_of(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISSOCK(mode)) return "a socket";
  return "not a regular file";
}

class Fd {
 public:
  explicit Fd(int fd) : m_fd(fd) {}
  ~Fd() {
    if (m_fd >= 0) close(m_fd);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return m_fd; }

 private:
  int m_fd;
};

}  // namespace

std::optional<std::vector<uint8_t>> read_input_file(const std::string& path, uint64_t limit) {
  // O_NONBLOCK: opening a FIFO with no writer must not wait; the type check below refuses it.
  Fd fd(open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY));
  if (fd.get() < 0) {
    spdlog::error("{}: cannot open: {}", path, std::strerror(errno));
    return std::nullopt;
  }
  struct stat st {};
  if (fstat(fd.get(), &st) != 0) {
    spdlog::error("{}: cannot stat: {}", path, std::strerror(errno));
    return std::nullopt;
  }
  if (!S_ISREG(st.st_mode)) {
    spdlog::error("{}: is {}, not a regular file", path, kind_of(st.st_mode));
    return std::nullopt;
  }
  if (static_cast<uint64_t>(st.st_size) > limit) {
    spdlog::error("{}: {} bytes is larger than the {} MiB Tandem reads", path, st.st_size,
                  limit >> 20);
    return std::nullopt;
  }
  // Read up to one byte past the limit: a file that grows (or a /proc file whose size says 0)
  // is still bounded.
  std::vector<uint8_t> bytes;
  bytes.reserve(static_cast<size_t>(st.st_size));
  uint8_t chunk[1 << 16];
  for (;;) {
    const ssize_t n = read(fd.get(), chunk, sizeof chunk);
    if (n < 0) {
      if (errno == EINTR) continue;
      spdlog::error("{}: read error: {}", path, std::strerror(errno));
      return std::nullopt;
    }
    if (n == 0) break;
    if (bytes.size() + static_cast<size_t>(n) > limit) {
      spdlog::error("{}: larger than the {} MiB Tandem reads", path, limit >> 20);
      return std::nullopt;
    }
    bytes.insert(bytes.end(), chunk, chunk + n);
  }
  return bytes;
}

}  // namespace tandem::cli

// SPDX-License-Identifier: Apache-2.0
// Move-only owners for what the KVM backend holds from the kernel: file descriptors (/dev/kvm,
// the VM, each vCPU) and a vCPU's shared kvm_run mapping. Both are released exactly once.
#pragma once

#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <utility>

#include "core/base/result.h"

namespace tandem::kvm {

class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : m_fd(fd) {}
  UniqueFd(UniqueFd&& o) noexcept : m_fd(std::exchange(o.m_fd, -1)) {}
  UniqueFd& operator=(UniqueFd&& o) noexcept {
    if (this != &o) {
      reset();
      m_fd = std::exchange(o.m_fd, -1);
    }
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd() { reset(); }

  int get() const { return m_fd; }

 private:
  void reset() {
    if (m_fd >= 0) ::close(m_fd);
    m_fd = -1;
  }

  int m_fd = -1;
};

// A shared mapping of a vCPU fd (the kvm_run page and the PIO data pages after it).
class SharedMapping {
 public:
  SharedMapping() = default;
  SharedMapping(void* addr, size_t size) : m_addr(addr), m_size(size) {}
  SharedMapping(SharedMapping&& o) noexcept
      : m_addr(std::exchange(o.m_addr, nullptr)), m_size(std::exchange(o.m_size, 0)) {}
  SharedMapping& operator=(SharedMapping&& o) noexcept {
    if (this != &o) {
      reset();
      m_addr = std::exchange(o.m_addr, nullptr);
      m_size = std::exchange(o.m_size, 0);
    }
    return *this;
  }
  SharedMapping(const SharedMapping&) = delete;
  SharedMapping& operator=(const SharedMapping&) = delete;
  ~SharedMapping() { reset(); }

  template <class T>
  T* as() const {
    return static_cast<T*>(m_addr);
  }
  size_t size() const { return m_size; }

 private:
  void reset() {
    if (m_addr != nullptr) ::munmap(m_addr, m_size);
    m_addr = nullptr;
  }

  void* m_addr = nullptr;
  size_t m_size = 0;
};

// Logs "<what> failed: <errno text>" and returns kBackend: a failing system call is the host's
// problem, not the guest's.
Error ioctl_error(const char* what);

}  // namespace tandem::kvm

// SPDX-License-Identifier: Apache-2.0
// struct kvm_cpuid2 as the kernel lays it out. <linux/kvm.h> before Linux 6.5 declares its
// flexible array with __DECLARE_FLEX_ARRAY, whose empty member is 1 byte in C++ (0 in C): C++
// sees the entries at offset 12 instead of 8 and KVM_GET_SUPPORTED_CPUID / KVM_SET_CPUID2
// encode a 12-byte size, which the kernel refuses with EINVAL. This header uses the C layout.
#pragma once

#include <linux/kvm.h>
#include <sys/ioctl.h>

#include <cstddef>
#include <cstdint>
#include <vector>

namespace tandem::kvm {

struct Cpuid2Header {
  uint32_t nent;
  uint32_t padding;
};
static_assert(sizeof(Cpuid2Header) == 8);

inline constexpr unsigned long kGetSupportedCpuid = _IOWR(KVMIO, 0x05, Cpuid2Header);
inline constexpr unsigned long kSetCpuid2 = _IOW(KVMIO, 0x90, Cpuid2Header);

// A kvm_cpuid2 with room for `capacity` entries, for the two ioctls above.
class Cpuid2Buffer {
 public:
  explicit Cpuid2Buffer(size_t capacity)
      : m_words((sizeof(Cpuid2Header) + capacity * sizeof(kvm_cpuid_entry2)) / 4) {
    m_words[0] = static_cast<uint32_t>(capacity);
  }

  void* data() { return m_words.data(); }
  uint32_t nent() const { return m_words[0]; }
  kvm_cpuid_entry2* entries() {
    return reinterpret_cast<kvm_cpuid_entry2*>(m_words.data() + sizeof(Cpuid2Header) / 4);
  }

 private:
  std::vector<uint32_t> m_words;  // kvm_cpuid_entry2 is all 32-bit fields: 4-byte alignment
};

}  // namespace tandem::kvm

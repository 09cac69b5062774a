// SPDX-License-Identifier: Apache-2.0
// The /dev/kvm system fd: API version, the capabilities the backend relies on, the kvm_run
// mapping size and the CPUID the host supports (Documentation/virt/kvm/api.rst:
// KVM_GET_API_VERSION, KVM_CHECK_EXTENSION, KVM_GET_VCPU_MMAP_SIZE, KVM_GET_SUPPORTED_CPUID).
#pragma once

#include <linux/kvm.h>

#include <cstddef>
#include <string>
#include <vector>

#include "backends/kvm/kvm_handles.h"
#include "core/base/result.h"

namespace tandem {

// Whether KVM can run guests here, and if not, why (for `tandem info` and test skips).
struct KvmAvailability {
  bool usable = false;
  std::string reason;  // "KVM API 12 on /dev/kvm" when usable, else what is wrong and what to do
};

}  // namespace tandem

namespace tandem::kvm {

class KvmSystem {
 public:
  // The only API version there has ever been (api.rst, KVM_GET_API_VERSION).
  static constexpr int kApiVersion = 12;

  // Opens /dev/kvm and checks the API version and every capability the backend uses. Logs the
  // reason (kvm_availability()'s text) and returns kUnsupported when KVM cannot be used.
  static Result<KvmSystem> open();
  static KvmAvailability availability();

  int fd() const { return m_fd.get(); }
  size_t vcpu_mmap_size() const { return m_vcpu_mmap_size; }
  unsigned max_memslots() const { return m_max_memslots; }
  const std::vector<kvm_cpuid_entry2>& supported_cpuid() const { return m_cpuid; }

 private:
  KvmSystem() = default;
  // Does the work of open(); on failure `why` says what is wrong.
  static Result<KvmSystem> open_checked(std::string& why);

  UniqueFd m_fd;
  size_t m_vcpu_mmap_size = 0;
  unsigned m_max_memslots = 0;
  std::vector<kvm_cpuid_entry2> m_cpuid;
};

}  // namespace tandem::kvm

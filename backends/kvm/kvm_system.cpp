// SPDX-License-Identifier: Apache-2.0
#include "backends/kvm/kvm_system.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>

#include "backends/kvm/kvm_cpuid_abi.h"

namespace tandem::kvm {
namespace {

constexpr const char* kDevice = "/dev/kvm";

struct Capability {
  int id;
  const char* name;
  const char* why;
};

// Every capability the backend relies on, checked up front so a missing one is reported by
// name instead of as a failed ioctl later.
constexpr Capability kRequired[] = {
    {KVM_CAP_USER_MEMORY, "KVM_CAP_USER_MEMORY", "guest RAM from host memory"},
    {KVM_CAP_EXT_CPUID, "KVM_CAP_EXT_CPUID", "KVM_GET_SUPPORTED_CPUID / KVM_SET_CPUID2"},
    {KVM_CAP_SET_TSS_ADDR, "KVM_CAP_SET_TSS_ADDR", "the TSS area Intel hosts need"},
    {KVM_CAP_IMMEDIATE_EXIT, "KVM_CAP_IMMEDIATE_EXIT", "race-free request_stop()"},
    {KVM_CAP_SYNC_REGS, "KVM_CAP_SYNC_REGS", "the guest PC on every exit without an ioctl"},
    {KVM_CAP_IRQCHIP, "KVM_CAP_IRQCHIP", "the in-kernel local APICs, IOAPIC and 8259s"},
    {KVM_CAP_PIT2, "KVM_CAP_PIT2", "the in-kernel 8254 PIT"},
    {KVM_CAP_IRQ_ROUTING, "KVM_CAP_IRQ_ROUTING", "routing the PIT to IOAPIC pin 2 as on a PC"},
};

std::string errno_text(int err) { return std::strerror(err); }

// Why open() failed, in terms a user can act on.
std::string open_failure(int err) {
  std::string why = std::string("cannot open ") + kDevice + ": " + errno_text(err);
  struct stat st {};
  if (err == ENOENT) {
    why += " (the kvm module is not loaded, or the host has no hardware virtualization)";
  } else if ((err == EACCES || err == EPERM) && ::stat(kDevice, &st) == 0 &&
             (st.st_mode & (S_IRGRP | S_IWGRP | S_IROTH | S_IWOTH)) == 0) {
    why += " (/dev/kvm is root-only here: run as root)";
  } else if (err == EACCES || err == EPERM) {
    why += " (add the user to the group that owns /dev/kvm, usually 'kvm')";
  }
  return why;
}

// KVM_GET_SUPPORTED_CPUID fails with E2BIG until the array is large enough (api.rst).
Result<std::vector<kvm_cpuid_entry2>> read_supported_cpuid(int fd) {
  for (size_t n = 64; n <= 4096; n *= 2) {
    Cpuid2Buffer cpuid(n);
    if (::ioctl(fd, kGetSupportedCpuid, cpuid.data()) == 0)
      return std::vector<kvm_cpuid_entry2>(cpuid.entries(), cpuid.entries() + cpuid.nent());
    if (errno != E2BIG) return ioctl_error("KVM_GET_SUPPORTED_CPUID");
  }
  return ioctl_error("KVM_GET_SUPPORTED_CPUID");
}

}  // namespace

Error ioctl_error(const char* what) {
  spdlog::error("kvm: {} failed: {}", what, errno_text(errno));
  return Error(Status::kBackend);
}

Result<KvmSystem> KvmSystem::open_checked(std::string& why) {
  KvmSystem sys;
  sys.m_fd = UniqueFd(::open(kDevice, O_RDWR | O_CLOEXEC));
  if (sys.m_fd.get() < 0) {
    why = open_failure(errno);
    return Error(Status::kUnsupported);
  }
  const int version = ::ioctl(sys.fd(), KVM_GET_API_VERSION, 0);
  if (version != kApiVersion) {
    why = "KVM_GET_API_VERSION returned " + std::to_string(version) + ", Tandem needs " +
          std::to_string(kApiVersion);
    return Error(Status::kUnsupported);
  }
  std::string missing;
  for (const Capability& cap : kRequired) {
    if (::ioctl(sys.fd(), KVM_CHECK_EXTENSION, cap.id) > 0) continue;
    missing += missing.empty() ? "" : ", ";
    missing += std::string(cap.name) + " (" + cap.why + ")";
  }
  // KVM_CAP_SYNC_REGS returns the set of syncable register groups (api.rst, KVM_CAP_SYNC_REGS).
  if (missing.empty() &&
      (::ioctl(sys.fd(), KVM_CHECK_EXTENSION, KVM_CAP_SYNC_REGS) & KVM_SYNC_X86_REGS) == 0)
    missing = "KVM_SYNC_X86_REGS in KVM_CAP_SYNC_REGS";
  if (!missing.empty()) {
    why = "the host's KVM lacks " + missing;
    return Error(Status::kUnsupported);
  }
  const int mmap_size = ::ioctl(sys.fd(), KVM_GET_VCPU_MMAP_SIZE, 0);
  if (mmap_size < static_cast<int>(sizeof(kvm_run))) {
    why = "KVM_GET_VCPU_MMAP_SIZE failed: " + errno_text(errno);
    return Error(Status::kBackend);
  }
  sys.m_vcpu_mmap_size = static_cast<size_t>(mmap_size);
  // 0 means "not reported"; assume the historical minimum of 32 slots.
  const int slots = ::ioctl(sys.fd(), KVM_CHECK_EXTENSION, KVM_CAP_NR_MEMSLOTS);
  sys.m_max_memslots = slots > 0 ? static_cast<unsigned>(slots) : 32;
  auto cpuid = read_supported_cpuid(sys.fd());
  if (!cpuid) {
    why = "KVM_GET_SUPPORTED_CPUID failed";
    return Error(cpuid.error());
  }
  sys.m_cpuid = std::move(cpuid).value();
  return sys;
}

Result<KvmSystem> KvmSystem::open() {
  std::string why;
  auto sys = open_checked(why);
  if (!sys) spdlog::error("kvm: {}", why);
  return sys;
}

KvmAvailability KvmSystem::availability() {
  std::string why;
  auto sys = open_checked(why);
  if (!sys) return {false, why};
  return {true, "KVM API " + std::to_string(kApiVersion) + " on " + kDevice};
}

}  // namespace tandem::kvm

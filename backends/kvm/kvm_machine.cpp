// SPDX-License-Identifier: Apache-2.0
#include "backends/kvm/kvm_machine.h"

#include <spdlog/spdlog.h>
#include <sys/ioctl.h>

#include "core/mm/address_space.h"

namespace tandem {
namespace {

// Three pages for the TSS that Intel hosts need to emulate real mode (api.rst, KVM_SET_TSS_ADDR);
// the address Firecracker and QEMU use, just below the BIOS area under 4 GiB.
constexpr uint64_t kTssAddr = 0xfffbd000;
constexpr uint64_t kTssSize = 3 * kPageSize4K;

Result<void> check_tss_is_free(const AddressSpace& space) {
  for (const Region& r : space.regions()) {
    if (r.base.raw() < kTssAddr + kTssSize && kTssAddr < r.end().raw()) {
      spdlog::error("kvm: region [{:#x}, {:#x}) overlaps KVM's TSS area at {:#x}", r.base.raw(),
                    r.end().raw(), kTssAddr);
      return Error(Status::kOverlap);
    }
  }
  return ok();
}

Result<void> add_memory_slots(int vm_fd, const kvm::KvmSystem& system, const AddressSpace& space) {
  uint32_t slot = 0;
  for (const Region& r : space.regions()) {
    if (r.kind != RegionKind::kRam) continue;
    if (!r.contiguous()) {
      spdlog::error("kvm: RAM at {:#x} is on-demand; a KVM memory slot needs contiguous RAM",
                    r.base.raw());
      return Error(Status::kUnsupported);
    }
    if (slot == system.max_memslots()) return Error(Status::kCapacity);
    const Hva host = TRY(space.host_address(r));
    kvm_userspace_memory_region mr{};
    mr.slot = slot++;
    mr.guest_phys_addr = r.base.raw();
    mr.memory_size = r.size;
    mr.userspace_addr = host.raw();
    // Read-only RAM: guest writes come back as MMIO exits (api.rst, KVM_MEM_READONLY).
    if (!r.flags.write) {
      if (::ioctl(system.fd(), KVM_CHECK_EXTENSION, KVM_CAP_READONLY_MEM) <= 0) {
        spdlog::error("kvm: read-only RAM at {:#x} needs KVM_CAP_READONLY_MEM", r.base.raw());
        return Error(Status::kUnsupported);
      }
      mr.flags = KVM_MEM_READONLY;
    }
    if (::ioctl(vm_fd, KVM_SET_USER_MEMORY_REGION, &mr) < 0)
      return kvm::ioctl_error("KVM_SET_USER_MEMORY_REGION");
  }
  return ok();
}

}  // namespace

KvmMachine::KvmMachine(kvm::KvmSystem system, kvm::UniqueFd vm, const MachineSetup& setup)
    : m_system(std::move(system)),
      m_vm(std::move(vm)),
      m_exits(&setup.exits),
      m_cpu_count(setup.cpu_count) {}

Result<KvmMachine> KvmMachine::create(const MachineSetup& setup) {
  if (setup.arch != Arch::kX86_64) {
    spdlog::error("kvm: this host runs x86_64 guests only, not {}", to_string(setup.arch));
    return Error(Status::kUnsupported);
  }
  kvm::KvmSystem system = TRY(kvm::KvmSystem::open());
  // KVM_CAP_MAX_VCPUS bounds the vCPU ids (api.rst, KVM_CREATE_VCPU).
  const int max_vcpus = ::ioctl(system.fd(), KVM_CHECK_EXTENSION, KVM_CAP_MAX_VCPUS);
  if (setup.cpu_count == 0 || (max_vcpus > 0 && setup.cpu_count > static_cast<unsigned>(max_vcpus)))
    return Error(Status::kInvalidArgument);
  TRY(check_tss_is_free(setup.address_space));

  kvm::UniqueFd vm(::ioctl(system.fd(), KVM_CREATE_VM, 0));
  if (vm.get() < 0) return kvm::ioctl_error("KVM_CREATE_VM");
  if (::ioctl(vm.get(), KVM_SET_TSS_ADDR, static_cast<unsigned long>(kTssAddr)) < 0)
    return kvm::ioctl_error("KVM_SET_TSS_ADDR");
  TRY(add_memory_slots(vm.get(), system, setup.address_space));
  return KvmMachine(std::move(system), std::move(vm), setup);
}

Result<KvmVcpu> KvmMachine::create_vcpu(unsigned id) {
  if (id >= m_cpu_count) return Error(Status::kInvalidArgument);
  return KvmVcpu::create(m_system, m_vm.get(), id, *m_exits);
}

}  // namespace tandem

// SPDX-License-Identifier: Apache-2.0
#include "backends/kvm/kvm_machine.h"

#include <spdlog/spdlog.h>
#include <sys/ioctl.h>

#include <cstring>
#include <vector>

#include "core/mm/address_space.h"

namespace tandem {
namespace {

// struct kvm_irq_routing's header as the kernel lays it out: <linux/kvm.h> before 6.5 declares
// its flexible array with __DECLARE_FLEX_ARRAY, 1 byte in C++, which would encode a wrong size
// in the ioctl number (the same problem as kvm_cpuid_abi.h).
struct IrqRoutingHeader {
  uint32_t nr;
  uint32_t flags;
};
static_assert(sizeof(IrqRoutingHeader) == 8);
constexpr unsigned long kSetGsiRouting = _IOW(KVMIO, 0x6a, IrqRoutingHeader);

// The GSI routing of QEMU's pc board (hw/i386/kvm/ioapic.c, kvm_pc_setup_irq_routing): GSIs
// 0..15 to the 8259 inputs (2 is the cascade), GSIs 1..23 to the IOAPIC pin of the same number,
// and GSI 0, where the PIT interrupts, to IOAPIC pin 2 (the ISA interrupt source override every
// PC firmware reports). KVM's default differs only there (GSI 0 -> pin 0); this way a guest
// finds the PIT where it is on QEMU.
Result<void> route_gsis_as_a_pc(int vm_fd) {
  std::vector<kvm_irq_routing_entry> entries;
  auto add = [&](uint32_t gsi, uint32_t chip, uint32_t pin) {
    kvm_irq_routing_entry e{};
    e.gsi = gsi;
    e.type = KVM_IRQ_ROUTING_IRQCHIP;
    e.u.irqchip.irqchip = chip;
    e.u.irqchip.pin = pin;
    entries.push_back(e);
  };
  for (uint32_t i = 0; i < 8; ++i)
    if (i != 2) add(i, KVM_IRQCHIP_PIC_MASTER, i);
  for (uint32_t i = 8; i < 16; ++i) add(i, KVM_IRQCHIP_PIC_SLAVE, i - 8);
  for (uint32_t i = 0; i < kvm::KvmIrqLines::kGsiCount; ++i) {
    if (i == 0)
      add(0, KVM_IRQCHIP_IOAPIC, 2);
    else if (i != 2)
      add(i, KVM_IRQCHIP_IOAPIC, i);
  }
  std::vector<uint8_t> buf(sizeof(IrqRoutingHeader) + entries.size() * sizeof entries[0]);
  const IrqRoutingHeader header{static_cast<uint32_t>(entries.size()), 0};
  std::memcpy(buf.data(), &header, sizeof header);
  std::memcpy(buf.data() + sizeof header, entries.data(), entries.size() * sizeof entries[0]);
  if (::ioctl(vm_fd, kSetGsiRouting, buf.data()) < 0)
    return kvm::ioctl_error("KVM_SET_GSI_ROUTING");
  return ok();
}

// The in-kernel PC interrupt hardware and PIT (api.rst, KVM_CREATE_IRQCHIP: before any vCPU;
// KVM_CREATE_PIT2 with flags 0: the PIT interrupts as a PC's does, also while its output is
// not being read).
Result<void> create_irqchip(int vm_fd) {
  if (::ioctl(vm_fd, KVM_CREATE_IRQCHIP, 0) < 0) return kvm::ioctl_error("KVM_CREATE_IRQCHIP");
  kvm_pit_config pit{};
  pit.flags = 0;
  if (::ioctl(vm_fd, KVM_CREATE_PIT2, &pit) < 0) return kvm::ioctl_error("KVM_CREATE_PIT2");
  return route_gsis_as_a_pc(vm_fd);
}

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
      m_irq_lines(std::make_unique<kvm::KvmIrqLines>(m_vm.get())),
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
  TRY(create_irqchip(vm.get()));
  return KvmMachine(std::move(system), std::move(vm), setup);
}

Result<KvmVcpu> KvmMachine::create_vcpu(unsigned id) {
  if (id >= m_cpu_count) return Error(Status::kInvalidArgument);
  return KvmVcpu::create(m_system, m_vm.get(), id, *m_exits);
}

}  // namespace tandem

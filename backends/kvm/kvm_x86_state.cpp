// SPDX-License-Identifier: Apache-2.0
#include "backends/kvm/kvm_x86_state.h"

#include <sys/ioctl.h>

#include <cstring>

#include "backends/kvm/kvm_cpuid_abi.h"
#include "backends/kvm/kvm_handles.h"

namespace tandem::kvm {
namespace {

kvm_segment to_kvm(const X86Segment& s) {
  kvm_segment k{};
  k.base = s.base;
  k.limit = s.limit;  // KVM takes the byte-granular limit, as X86Segment holds it
  k.selector = s.selector;
  k.type = s.type;
  k.present = s.present ? 1 : 0;
  k.dpl = s.dpl0 ? 0 : 3;
  k.db = s.db ? 1 : 0;
  k.s = s.s ? 1 : 0;
  k.l = s.l ? 1 : 0;
  k.g = s.g ? 1 : 0;
  return k;
}

}  // namespace

Result<void> set_x86_cpuid(int vcpu_fd, const std::vector<kvm_cpuid_entry2>& supported,
                           unsigned cpu_id) {
  Cpuid2Buffer cpuid(supported.size());
  std::memcpy(cpuid.entries(), supported.data(), supported.size() * sizeof(kvm_cpuid_entry2));
  for (uint32_t i = 0; i < cpuid.nent(); ++i) {
    kvm_cpuid_entry2& e = cpuid.entries()[i];
    if (e.function == 0x1) e.ebx = (e.ebx & 0x00ffffffu) | (cpu_id << 24);
    if (e.function == 0xb) e.edx = cpu_id;
  }
  if (::ioctl(vcpu_fd, kSetCpuid2, cpuid.data()) < 0) return ioctl_error("KVM_SET_CPUID2");
  return ok();
}

Result<void> set_x86_boot_state(int vcpu_fd, const BootState& boot) {
  // Start from KVM's reset state so TR and LDTR keep values VM entry accepts (a busy 32-bit
  // TSS, an LDT), then replace what the boot state defines.
  kvm_sregs sregs{};
  if (::ioctl(vcpu_fd, KVM_GET_SREGS, &sregs) < 0) return ioctl_error("KVM_GET_SREGS");
  const X86LongModeState& x = boot.x86;
  sregs.cr0 = x.cr0;
  sregs.cr3 = x.cr3;
  sregs.cr4 = x.cr4;
  sregs.efer = x.efer;
  sregs.gdt.base = x.gdt_base;
  sregs.gdt.limit = x.gdt_limit;
  // An empty IDT: any exception before the guest installs its own becomes a triple fault
  // (KVM_EXIT_SHUTDOWN, a clean VM stop) instead of a jump through whatever is at GPA 0.
  sregs.idt.base = 0;
  sregs.idt.limit = 0;
  sregs.cs = to_kvm(x.cs);
  sregs.ds = sregs.es = sregs.fs = sregs.gs = sregs.ss = to_kvm(x.ds);
  if (::ioctl(vcpu_fd, KVM_SET_SREGS, &sregs) < 0) return ioctl_error("KVM_SET_SREGS");

  kvm_regs regs{};
  regs.rip = boot.pc;
  regs.rsp = boot.sp;
  regs.rflags = x.rflags;
  if (boot.x86_mode == X86EntryMode::kProtected32) {
    regs.rax = boot.args[0];  // multiboot: 0x2BADB002 and the info address (spec 3.2)
    regs.rbx = boot.args[1];
  } else {
    regs.rsi = boot.args[0];  // Linux 64-bit boot protocol: boot_params
  }
  if (::ioctl(vcpu_fd, KVM_SET_REGS, &regs) < 0) return ioctl_error("KVM_SET_REGS");
  return ok();
}

}  // namespace tandem::kvm

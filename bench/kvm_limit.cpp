// SPDX-License-Identifier: Apache-2.0
// The kvm backend's limit for the exit round trip (bench/README.md, case 1): a raw KVM_RUN loop
// around one page of real-mode code that does <n> `in al, dx` from COM1 LSR (the same
// in/dec/jnz loop as the exits guest), answering each KVM_EXIT_IO with a constant.
//   kvm_limit <n>    exit status 0 when the guest reached its HLT
#include <fcntl.h>
#include <linux/kvm.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace {

constexpr uint64_t kMemSize = 0x10000;
constexpr uint64_t kCode = 0x1000;

// mov ecx, n; mov dx, 0x3fd; test ecx, ecx; jz done; loop: in al, dx; dec ecx; jnz loop;
// done: hlt
constexpr uint8_t kLoop[] = {0x66, 0xb9, 0,    0,    0,    0,    0xba, 0xfd, 0x03, 0x66,
                             0x85, 0xc9, 0x74, 0x05, 0xec, 0x66, 0x49, 0x75, 0xfb, 0xf4};

int fail(const char* what) {
  std::perror(what);
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: kvm_limit <n>\n");
    return 2;
  }
  const auto n = static_cast<uint32_t>(std::strtoul(argv[1], nullptr, 0));
  const int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
  if (kvm < 0) return fail("/dev/kvm");
  const int vm = ioctl(kvm, KVM_CREATE_VM, 0);
  if (vm < 0) return fail("KVM_CREATE_VM");
  void* mem = mmap(nullptr, kMemSize, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (mem == MAP_FAILED) return fail("mmap");
  auto* code = static_cast<uint8_t*>(mem) + kCode;
  std::memcpy(code, kLoop, sizeof kLoop);
  std::memcpy(code + 2, &n, sizeof n);
  kvm_userspace_memory_region region{0, 0, 0, kMemSize, reinterpret_cast<uint64_t>(mem)};
  if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &region) < 0) return fail("KVM_SET_USER_MEMORY_REGION");
  const int vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
  if (vcpu < 0) return fail("KVM_CREATE_VCPU");
  const int run_size = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
  auto* run = static_cast<kvm_run*>(
      mmap(nullptr, static_cast<size_t>(run_size), PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0));
  if (run == MAP_FAILED) return fail("mmap kvm_run");

  kvm_sregs sregs;
  if (ioctl(vcpu, KVM_GET_SREGS, &sregs) < 0) return fail("KVM_GET_SREGS");
  sregs.cs.base = 0;
  sregs.cs.selector = 0;
  if (ioctl(vcpu, KVM_SET_SREGS, &sregs) < 0) return fail("KVM_SET_SREGS");
  kvm_regs regs{};
  regs.rip = kCode;
  regs.rflags = 2;
  if (ioctl(vcpu, KVM_SET_REGS, &regs) < 0) return fail("KVM_SET_REGS");

  for (;;) {
    if (ioctl(vcpu, KVM_RUN, 0) < 0) return fail("KVM_RUN");
    if (run->exit_reason == KVM_EXIT_HLT) return 0;
    if (run->exit_reason != KVM_EXIT_IO || run->io.direction != KVM_EXIT_IO_IN) {
      std::fprintf(stderr, "kvm_limit: unexpected exit %u\n", run->exit_reason);
      return 1;
    }
    reinterpret_cast<uint8_t*>(run)[run->io.data_offset] = 0x60;  // LSR: THRE | TEMT
  }
}

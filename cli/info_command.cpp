// SPDX-License-Identifier: Apache-2.0
// `tandem info`: what this host can run, and why not where it cannot.
#include <unicorn/unicorn.h>

#include <cstdio>
#include <filesystem>

#include "cli/commands.h"
#ifdef TANDEM_HAVE_KVM
#include "backends/kvm/kvm_machine.h"
#endif

namespace tandem::cli {
namespace {

void image_line(const char* arch) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  const fs::path image =
      exe.parent_path().parent_path() / "images" / (std::string("tandem-") + arch + ".elf");
  if (fs::exists(image, ec))
    std::printf("  %-8s image %s\n", arch, image.c_str());
  else
    std::printf("  %-8s no prebuilt image (cross toolchain missing when built?)\n", arch);
}

}  // namespace

int info_command() {
  unsigned major = 0, minor = 0;
  uc_version(&major, &minor);
  std::printf("backend emu: available (Unicorn %u.%u.%u)\n", major, minor,
              static_cast<unsigned>(UC_VERSION_PATCH));
  std::printf("  aarch64  EL1 guest, PL011, PSCI over HVC/SMC, semihosting exit\n");
  std::printf("  riscv64  S-mode guest, NS16550, sifive_test, SBI over ECALL\n");
  std::printf("  x86_64   64-bit long-mode entry, COM1 16550, isa-debug-exit; no interrupts\n");
#ifdef TANDEM_HAVE_KVM
  const KvmAvailability kvm = KvmMachine::availability();
  if (kvm.usable)
    std::printf("backend kvm: available\n  x86_64   64-bit ELF or multiboot v1 image\n");
  else
    std::printf("backend kvm: unavailable: %s\n", kvm.reason.c_str());
#else
  std::printf("backend kvm: not built (x86_64 Linux hosts only)\n");
#endif
  std::printf("backend baremetal: images for `tandem build-image`\n");
  image_line("aarch64");
  image_line("riscv64");
  return 0;
}

}  // namespace tandem::cli

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
  // The library's own version (major << 24 | minor << 16 | patch << 8 | extra), not the headers'.
  const unsigned version = uc_version(nullptr, nullptr);
  std::printf("backend emu: available (Unicorn %u.%u.%u)\n", version >> 24, (version >> 16) & 0xff,
              (version >> 8) & 0xff);
  std::printf(
      "  aarch64  EL1 guest, 1-8 vCPUs: GICv3 + virtual timer, PL011 (rx interrupt), PSCI over\n"
      "           HVC/SMC (CPU_ON), semihosting exit\n");
  std::printf(
      "  riscv64  S-mode guest, 1-8 harts: PLIC + CLINT, SBI TIME/IPI/HSM/RFENCE over ECALL,\n"
      "           rdtime, NS16550 (rx interrupt), sifive_test\n");
  std::printf(
      "  x86_64   64-bit long-mode entry, 1 vCPU, COM1 16550, isa-debug-exit; no interrupts\n"
      "           (Unicorn cannot deliver them: use the kvm backend)\n");
#ifdef TANDEM_HAVE_KVM
  const KvmAvailability kvm = KvmMachine::availability();
  if (kvm.usable)
    std::printf(
        "backend kvm: available\n  x86_64   64-bit ELF or multiboot v1 image, 1-8 vCPUs: "
        "in-kernel\n"
        "           LAPIC/IOAPIC/PIC + PIT, INIT/SIPI, COM1 on IRQ 4\n");
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

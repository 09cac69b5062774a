// SPDX-License-Identifier: Apache-2.0
#include "cli/boot_options.h"

#include <CLI/CLI.hpp>

namespace tandem::cli {

void add_boot_options(CLI::App& cmd, std::string& mem, RunOptions& opts) {
  cmd.add_option("--mem,-m", mem, "Guest RAM size, e.g. 64M, 1G")->capture_default_str();
  cmd.add_option("--cpus,-c", opts.cpus, "Number of vCPUs")
      ->check(CLI::Range(1, 8))
      ->capture_default_str();
  cmd.add_option("--append", opts.cmdline,
                 "Kernel command line: the device tree's bootargs (aarch64, riscv64), the "
                 "Linux or multiboot command line (x86_64, kvm backend)");
  cmd.add_option("--kernel", opts.guest_path,
                 "Kernel to boot, format detected from the file: ELF, arm64 Image, RISC-V "
                 "Image, x86 bzImage (kvm backend), multiboot image, or a raw binary at the "
                 "board's kernel address (needs --arch)");
  cmd.add_option("--initrd", opts.initrd_path,
                 "Initial RAM disk, placed as QEMU does and named in /chosen (or the bzImage's "
                 "boot parameters)");
  cmd.add_option("--bios", opts.bios_path,
                 "Firmware run in place from flash at address 0 with the device tree at the "
                 "RAM base, as QEMU's -bios (aarch64; needs --arch)");
  cmd.add_option("--dtb", opts.dtb, "Give the guest this device tree blob instead of the board's");
}

}  // namespace tandem::cli

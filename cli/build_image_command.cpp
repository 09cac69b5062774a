// SPDX-License-Identifier: Apache-2.0
// `tandem build-image`: pack a guest (a kernel, or firmware, with its initrd, device tree and
// command line) into the prebuilt bare-metal image for its architecture, so a user needs no
// cross compiler to boot it on a board or QEMU.
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <span>
#include <vector>

#include "backends/hosted/host_log.h"
#include "cli/boot_options.h"
#include "cli/build_image.h"
#include "cli/commands.h"
#include "cli/device_options.h"
#include "cli/guest_file.h"
#include "cli/input_file.h"
#include "cli/machine_option.h"
#include "cli/options.h"

namespace tandem::cli {
namespace {

struct BuildImageArgs {
  std::string arch;
  std::string mem = "128M";
  RunOptions opts;  // the VM's pieces, --cpus and --machine, as `tandem run` takes them
  std::vector<std::string> drives;
  std::string console;  // --console uart|virtio
  std::string output;
  std::string image;  // prebuilt hypervisor image; default: next to the tandem binary
};

// Prebuilt images live in <build>/images/ (the tandem binary is <build>/cli/tandem) or, when
// installed, in <prefix>/share/tandem/images/ (the binary is <prefix>/bin/tandem).
std::string default_image(const std::string& arch) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  const std::string name = "tandem-" + arch + ".elf";
  for (const fs::path& dir : {exe.parent_path().parent_path() / "images",
                              exe.parent_path().parent_path() / "share/tandem/images"}) {
    if (fs::exists(dir / name, ec)) return (dir / name).string();
  }
  return (exe.parent_path().parent_path() / "images" / name).string();
}

// The files the options name, read with `tandem run`'s checks (format, architecture).
struct VmFiles {
  std::optional<GuestFile> kernel, firmware;
  std::optional<std::vector<uint8_t>> initrd, dtb, disk;
  bool disk_read_only = false;
};

std::optional<VmFiles> read_vm_files(Arch arch, const RunOptions& opts) {
  VmFiles f;
  if (opts.guest_path.empty() && opts.bios_path.empty()) {
    spdlog::error("name a kernel with --kernel, or firmware with --bios");
    return std::nullopt;
  }
  if (!opts.guest_path.empty() && !(f.kernel = read_guest_file(opts.guest_path, arch)))
    return std::nullopt;
  if (!opts.bios_path.empty() && !(f.firmware = read_guest_file(opts.bios_path, arch, true)))
    return std::nullopt;
  if (!opts.initrd_path.empty() && !(f.initrd = read_input_file(opts.initrd_path)))
    return std::nullopt;
  if (!opts.dtb.empty() && !(f.dtb = read_input_file(opts.dtb))) return std::nullopt;
  return f;
}

// The one --drive the image packs: its bytes (whole sectors) and whether it is read-only.
bool read_disk(const std::vector<std::string>& drives, VmFiles& f) {
  if (drives.empty()) return true;
  if (drives.size() > 1) {
    spdlog::error("--drive: the image packs one disk; {} were given", drives.size());
    return false;
  }
  std::string error;
  const auto spec = parse_drive(drives[0], error);
  if (!spec) {
    spdlog::error("{}", error);
    return false;
  }
  if (!(f.disk = read_input_file(spec->file))) return false;
  if (f.disk->empty()) {
    spdlog::error("--drive: {} is empty (a disk needs at least one 512-byte sector)", spec->file);
    return false;
  }
  f.disk_read_only = spec->read_only;
  return true;
}

std::span<const uint8_t> bytes_of(const std::optional<GuestFile>& f) {
  return f ? std::span<const uint8_t>(f->bytes) : std::span<const uint8_t>();
}
std::span<const uint8_t> bytes_of(const std::optional<std::vector<uint8_t>>& f) {
  return f ? std::span<const uint8_t>(*f) : std::span<const uint8_t>();
}

int build_image_command(const BuildImageArgs& args) {
  hosted::install_log_sink(log::Level::kWarn);
  const Arch arch = *parse_arch(args.arch);
  const auto mem = parse_size(args.mem);
  if (!mem) {
    spdlog::error("--mem '{}' is not a size (e.g. 128M, 1G)", args.mem);
    return kExitUsage;
  }
  // The user's own files first: a bad guest is named whether or not an image is at hand.
  auto files = read_vm_files(arch, args.opts);
  if (!files || !read_disk(args.drives, *files) || !check_machine(arch, args.opts.machine, true))
    return kExitUsage;
  const std::string image_path = args.image.empty() ? default_image(args.arch) : args.image;
  if (args.image.empty() && !std::filesystem::exists(image_path)) {
    spdlog::error("no prebuilt {} image (build it with scripts/build, or pass --image)", args.arch);
    return kExitUsage;
  }
  const auto hv = read_input_file(image_path);
  if (!hv) return kExitUsage;
  ImageVm vm;
  vm.kernel = bytes_of(files->kernel);
  vm.initrd = bytes_of(files->initrd);
  vm.firmware = bytes_of(files->firmware);
  vm.dtb = bytes_of(files->dtb);
  vm.bootargs = args.opts.cmdline;
  vm.ram_size = *mem;
  vm.cpus = args.opts.cpus;
  vm.board = args.opts.machine;
  vm.disk = bytes_of(files->disk);
  vm.disk_read_only = files->disk_read_only;
  vm.rng = args.opts.virtio.rng;
  vm.virtio_console = args.console == "virtio";
  std::vector<uint8_t> out;
  std::string message;
  if (auto r = build_image(*hv, std::span(&vm, 1), out, &message); !r) {
    spdlog::error("{}", message.empty() ? to_string(r.error()) : message);
    return kExitUsage;
  }
  std::ofstream file(args.output, std::ios::binary | std::ios::trunc);
  file.write(reinterpret_cast<const char*>(out.data()), static_cast<std::streamsize>(out.size()));
  file.close();
  if (!file) {
    spdlog::error("{}: cannot write: {}", args.output, std::strerror(errno));
    return kExitUsage;
  }
  return 0;
}

}  // namespace

void add_build_image(CLI::App& app, int& result) {
  static BuildImageArgs args;
  auto* cmd = app.add_subcommand("build-image",
                                 "Pack a guest into the bare-metal hypervisor image for a board");
  cmd->footer(R"(
The result is an ELF that boots at EL2 (aarch64, QEMU virt with virtualization=on, or a board
whose firmware enters at EL2) or in HS-mode under OpenSBI (riscv64), and boots the guest as
`tandem run` does, with the same devices: --kernel/--initrd/--append/--bios/--dtb/--drive
take the same files. Each vCPU runs on a physical CPU of its own. See backends/baremetal/README.md.
Examples:
  tandem build-image --arch aarch64 --kernel build/guests/aarch64/hello.elf -o hello.img
  qemu-system-aarch64 -M virt,virtualization=on,gic-version=3 -cpu cortex-a72 -m 256M       -nographic -semihosting -kernel hello.img
  tandem build-image --arch riscv64 --mem 512M --cpus 2 --kernel Image --initrd rd.gz       --append "console=ttyS0" -o linux.img
  qemu-system-riscv64 -M virt -smp 2 -m 1G -nographic -kernel linux.img)");
  cmd->add_option("--arch,-a", args.arch, "Image architecture: aarch64 | riscv64")
      ->required()
      ->check(CLI::IsMember({"aarch64", "riscv64"}));
  add_boot_options(*cmd, args.mem, args.opts);
  add_machine_option(*cmd, args.opts.machine);
  add_device_options(*cmd, args.drives, args.opts.virtio.rng,
                     {"one, packed into the image: the guest's writes stay in the machine's RAM "
                      "until it is reset",
                      "the CPU's random number generator (aarch64 FEAT_RNG; checked at boot)"});
  cmd->add_option("--console", args.console,
                  "uart (the board's UART, the default) | virtio (also a virtio console, "
                  "Linux's hvc0, which then takes the input)")
      ->check(CLI::IsMember({"uart", "virtio"}));
  cmd->add_option("--output,-o", args.output, "Image file to write")->required();
  cmd->add_option("--image", args.image,
                  "Prebuilt hypervisor image (default: the one built with tandem)");
  cmd->callback([&result] { result = build_image_command(args); });
}

}  // namespace tandem::cli

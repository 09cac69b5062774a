// SPDX-License-Identifier: Apache-2.0
// `tandem build-image`: pack a guest (a kernel, or firmware, with its initrd, device tree and
// command line) into the prebuilt bare-metal image for its architecture, so a user needs no
// cross compiler to boot it on a board or QEMU.
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include <cerrno>
#include <cstdio>
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
  std::vector<std::string> configs;  // or several VMs' configs, as `tandem run a.toml b.toml`
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
  std::optional<std::vector<uint8_t>> initrd, dtb;
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

std::span<const uint8_t> bytes_of(const std::optional<GuestFile>& f) {
  return f ? std::span<const uint8_t>(f->bytes) : std::span<const uint8_t>();
}
std::span<const uint8_t> bytes_of(const std::optional<std::vector<uint8_t>>& f) {
  return f ? std::span<const uint8_t>(*f) : std::span<const uint8_t>();
}

// One VM's options and files: the command line's, or a config's.
struct VmSource {
  RunOptions opts;
  VmFiles files;
};

// The VMs to pack: one from the command line's options, or one per config (whose [tandem]
// arch, when given, must be the image's). nullopt after printing why.
std::optional<std::vector<VmSource>> read_vms(Arch arch, const BuildImageArgs& args,
                                              bool pieces_given, const ConfigLoader& load) {
  std::vector<VmSource> vms;
  if (args.configs.empty()) {
    const auto mem = parse_size(args.mem);
    if (!mem) {
      spdlog::error("--mem '{}' is not a size (e.g. 128M, 1G)", args.mem);
      return std::nullopt;
    }
    auto files = read_vm_files(arch, args.opts);
    if (!files) return std::nullopt;
    RunOptions opts = args.opts;
    opts.mem_bytes = *mem;
    vms.push_back({std::move(opts), std::move(*files)});
    return vms;
  }
  if (pieces_given) {
    spdlog::error("name VM configs (*.toml) or a guest (--kernel, --bios and the like), not both");
    return std::nullopt;
  }
  for (const auto& path : args.configs) {
    auto opts = load(path);
    if (!opts) return std::nullopt;
    if (opts->arch && *opts->arch != arch) {
      spdlog::error("{}: the VM is {}, the image {}", path, to_string(*opts->arch),
                    to_string(arch));
      return std::nullopt;
    }
    auto files = read_vm_files(arch, *opts);
    if (!files) return std::nullopt;
    vms.push_back({std::move(*opts), std::move(*files)});
  }
  return vms;
}

int build_image_command(const BuildImageArgs& args, bool pieces_given, const ConfigLoader& load) {
  hosted::install_log_sink(log::Level::kWarn);
  const Arch arch = *parse_arch(args.arch);
  // The user's own files first: a bad guest is named whether or not an image is at hand.
  const auto sources = read_vms(arch, args, pieces_given, load);
  if (!sources) return kExitUsage;
  for (const VmSource& vm : *sources)
    if (!check_machine(arch, vm.opts.machine, true)) return kExitUsage;
  const std::string image_path = args.image.empty() ? default_image(args.arch) : args.image;
  if (args.image.empty() && !std::filesystem::exists(image_path)) {
    spdlog::error("no prebuilt {} image (build it with scripts/build, or pass --image)", args.arch);
    return kExitUsage;
  }
  const auto hv = read_input_file(image_path);
  if (!hv) return kExitUsage;
  std::vector<ImageVm> vms;
  unsigned cpus = 0;
  for (const VmSource& vm : *sources) {
    const VmFiles& f = vm.files;
    vms.push_back(ImageVm{bytes_of(f.kernel), bytes_of(f.initrd), bytes_of(f.firmware),
                          bytes_of(f.dtb), vm.opts.cmdline, vm.opts.mem_bytes, vm.opts.cpus,
                          vm.opts.machine, vm_name(vm.opts)});
    cpus += vm.opts.cpus;
  }
  std::vector<uint8_t> out;
  std::string message;
  if (auto r = build_image(*hv, vms, out, &message); !r) {
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
  if (cpus > 1) {
    std::fprintf(stderr, "tandem: %s needs %u physical CPUs, one per vCPU (QEMU: -smp %u)\n",
                 args.output.c_str(), cpus, cpus);
  }
  return 0;
}

}  // namespace

void add_build_image(CLI::App& app, int& result, const ConfigLoader& load) {
  static BuildImageArgs args;
  auto* cmd = app.add_subcommand("build-image",
                                 "Pack a guest into the bare-metal hypervisor image for a board");
  cmd->footer(R"(
The result is an ELF that boots at EL2 (aarch64, QEMU virt with virtualization=on, or a board
whose firmware enters at EL2) or in HS-mode under OpenSBI (riscv64), and boots the guest as
`tandem run` does, with the same devices: --kernel/--initrd/--append/--bios/--dtb take the
same files. Each vCPU runs on a physical CPU of its own. See backends/baremetal/README.md.
Examples:
  tandem build-image --arch aarch64 --kernel build/guests/aarch64/hello.elf -o hello.img
  qemu-system-aarch64 -M virt,virtualization=on,gic-version=3 -cpu cortex-a72 -m 256M       -nographic -semihosting -kernel hello.img
  tandem build-image --arch riscv64 --mem 512M --cpus 2 --kernel Image --initrd rd.gz       --append "console=ttyS0" -o linux.img
  qemu-system-riscv64 -M virt -smp 2 -m 1G -nographic -kernel linux.img
Several VMs (aarch64), each from a config as `tandem run a.toml b.toml` takes them, each on
physical CPUs of its own (VM 1 after VM 0's), their console lines prefixed "[name] ":
  tandem build-image --arch aarch64 a.toml b.toml -o two.img
  qemu-system-aarch64 -M virt,virtualization=on,gic-version=3 -cpu cortex-a72 -smp 2 -m 512M       -nographic -semihosting -kernel two.img)");
  cmd->add_option("--arch,-a", args.arch, "Image architecture: aarch64 | riscv64")
      ->required()
      ->check(CLI::IsMember({"aarch64", "riscv64"}));
  add_boot_options(*cmd, args.mem, args.opts);
  add_machine_option(*cmd, args.opts.machine);
  cmd->add_option("configs", args.configs,
                  "VM configs (*.toml, as `tandem run` takes them): one VM each, on physical "
                  "CPUs of its own (aarch64)");
  cmd->add_option("--output,-o", args.output, "Image file to write")->required();
  cmd->add_option("--image", args.image,
                  "Prebuilt hypervisor image (default: the one built with tandem)");
  cmd->callback([&result, cmd, load] {
    bool pieces_given = false;
    for (const char* name :
         {"--kernel", "--initrd", "--append", "--bios", "--dtb", "--mem", "--cpus", "--machine"}) {
      const CLI::Option* o = cmd->get_option_no_throw(name);
      pieces_given = pieces_given || (o != nullptr && o->count() > 0);
    }
    result = build_image_command(args, pieces_given, load);
  });
}

}  // namespace tandem::cli

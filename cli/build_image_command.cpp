// SPDX-License-Identifier: Apache-2.0
// `tandem build-image`: pack a guest ELF into the prebuilt bare-metal image for its
// architecture, so a user needs no cross compiler to boot their guest on a board or QEMU.
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <vector>

#include "backends/hosted/host_log.h"
#include "cli/build_image.h"
#include "cli/commands.h"
#include "cli/input_file.h"
#include "cli/machine_option.h"
#include "cli/options.h"

namespace tandem::cli {
namespace {

struct BuildImageArgs {
  std::string arch;
  std::string guest;
  std::string mem = "128M";
  std::string output;
  std::string image;  // prebuilt hypervisor image; default: next to the tandem binary
  unsigned cpus = 1;
  std::string machine;  // empty: the architecture's default board
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

int build_image_command(const BuildImageArgs& args) {
  hosted::install_log_sink(log::Level::kWarn);
  const auto mem = parse_size(args.mem);
  if (!mem) {
    spdlog::error("--mem '{}' is not a size (e.g. 128M, 1G)", args.mem);
    return kExitUsage;
  }
  // The user's own file first: a bad guest is named whether or not an image is at hand.
  const auto guest = read_input_file(args.guest);
  if (!guest || !check_machine(*parse_arch(args.arch), args.machine, true)) return kExitUsage;
  const std::string image_path = args.image.empty() ? default_image(args.arch) : args.image;
  if (args.image.empty() && !std::filesystem::exists(image_path)) {
    spdlog::error("no prebuilt {} image (build it with scripts/build, or pass --image)", args.arch);
    return kExitUsage;
  }
  const auto hv = read_input_file(image_path);
  if (!hv) return kExitUsage;
  std::vector<uint8_t> out;
  std::string message;
  if (auto r = build_image(*hv, *guest, *mem, out, &message, args.cpus, args.machine); !r) {
    spdlog::error("{}: {}", args.guest, message.empty() ? to_string(r.error()) : message);
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
  auto* cmd = app.add_subcommand(
      "build-image", "Pack a guest ELF into the bare-metal hypervisor image for a board");
  cmd->footer(R"(
The result is an ELF that boots at EL2 (aarch64, QEMU virt with virtualization=on, or a board
whose firmware enters at EL2) or in HS-mode under OpenSBI (riscv64), and runs the guest with
the same devices as `tandem run`. See backends/baremetal/README.md. Example:
  tandem build-image --arch aarch64 --guest build/guests/aarch64/hello.elf -o hello.img
  qemu-system-aarch64 -M virt,virtualization=on,gic-version=3 -cpu cortex-a72 -m 256M \
      -nographic -semihosting -kernel hello.img)");
  cmd->add_option("--arch,-a", args.arch, "Image architecture: aarch64 | riscv64")
      ->required()
      ->check(CLI::IsMember({"aarch64", "riscv64"}));
  cmd->add_option("--guest,-g", args.guest, "Guest ELF to embed")->required();
  cmd->add_option("--mem,-m", args.mem, "Guest RAM size")->capture_default_str();
  cmd->add_option("--cpus,-c", args.cpus,
                  "vCPUs, one physical CPU each (the board needs at least as many)")
      ->capture_default_str()
      ->check(CLI::Range(1, 8));
  add_machine_option(*cmd, args.machine);
  cmd->add_option("--output,-o", args.output, "Image file to write")->required();
  cmd->add_option("--image", args.image,
                  "Prebuilt hypervisor image (default: the one built with tandem)");
  cmd->callback([&result] { result = build_image_command(args); });
}

}  // namespace tandem::cli

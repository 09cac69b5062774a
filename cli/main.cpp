// SPDX-License-Identifier: Apache-2.0
// `tandem`: run guests from the command line, list what this host can run, and pack bare-metal
// images. Exit status: the guest's own status after `run`; 2 for a usage or input error; 125
// when the guest faulted or the backend failed (the message says which).
#include <CLI/CLI.hpp>

#include <cstdio>
#include <string>

#include "cli/commands.h"
#include "cli/machine_option.h"
#include "cli/options.h"

namespace {

using tandem::cli::RunOptions;

constexpr const char* kDescription =
    "Tandem, a modular hypervisor: one core, three backends (emu = Unicorn CPU emulator, kvm = "
    "Linux KVM, baremetal = EL2/HS images for boards).";

constexpr const char* kRunFooter = R"(
Examples:
  tandem run build/guests/aarch64/hello.elf          boot a guest on the emulator
  tandem run --trace exits build/guests/riscv64/mmio.elf
  tandem run --backend kvm build/guests/x86_64/hello.elf
  tandem run --backend kvm --mem 256M --cpus 2 --kernel bzImage --initrd rd.gz \
             --append "console=ttyS0"         boot Linux (x86_64, 64-bit boot protocol)

The guest's console goes to stdout; Tandem's own messages go to stderr. The exit status is the
guest's (PSCI SYSTEM_OFF = 0, semihosting / sifive_test / isa-debug-exit carry any status);
2 = bad command line or guest file; 125 = the guest faulted (e.g. touched unmapped memory) or
the backend failed.)";

// The raw text of `tandem run`'s options; run_command() validates it with clear messages.
struct RunArgs {
  std::string backend = "emu";
  std::string arch;
  std::string mem = "128M";
  std::string trace = "none";
  std::string timeout = "0";
  RunOptions opts;
};

int run_from_args(RunArgs& args) {
  RunOptions& opts = args.opts;
  if (opts.guest_path.empty() && opts.dump_dtb.empty()) {
    std::fprintf(stderr, "tandem: error: name a guest image, or a Linux kernel with --kernel\n");
    return tandem::cli::kExitUsage;
  }
  opts.backend = *tandem::cli::parse_backend(args.backend);
  if (!args.arch.empty()) opts.arch = tandem::cli::parse_arch(args.arch);
  auto size = tandem::cli::parse_size(args.mem);
  if (!size) {
    std::fprintf(stderr, "tandem: error: --mem '%s' is not a size (e.g. 128M, 1G)\n",
                 args.mem.c_str());
    return tandem::cli::kExitUsage;
  }
  opts.mem_bytes = *size;
  const auto timeout = tandem::cli::parse_timeout(args.timeout);
  if (!timeout) {
    std::fprintf(stderr,
                 "tandem: error: --timeout '%s' is not a number of seconds from 0 to %.0f\n",
                 args.timeout.c_str(), tandem::cli::kMaxTimeoutSeconds);
    return tandem::cli::kExitUsage;
  }
  opts.timeout_s = *timeout;
  opts.trace = args.trace == "exits"  ? tandem::cli::TraceMode::kExits
               : args.trace == "mmio" ? tandem::cli::TraceMode::kMmio
                                      : tandem::cli::TraceMode::kNone;
  return tandem::cli::run_command(opts);
}

void add_run(CLI::App& app, RunArgs& args, int& result) {
  auto* run = app.add_subcommand("run", "Run a guest ELF and show its console");
  run->footer(kRunFooter);
  run->add_option("--backend,-b", args.backend, "Execution backend: emu | kvm")
      ->check(CLI::IsMember({"emu", "kvm"}))
      ->capture_default_str();
  run->add_option("--arch,-a", args.arch,
                  "Guest architecture: aarch64 | riscv64 | x86_64 (default: from the ELF)")
      ->check(CLI::IsMember({"aarch64", "arm64", "riscv64", "x86_64", "amd64"}));
  run->add_option("--mem,-m", args.mem, "Guest RAM size, e.g. 64M, 1G")->capture_default_str();
  run->add_option("--cpus,-c", args.opts.cpus, "Number of vCPUs")
      ->check(CLI::Range(1, 8))
      ->capture_default_str();
  run->add_option("--trace,-t", args.trace,
                  "Print one line per exit (exits) or per device access (mmio) to stderr")
      ->check(CLI::IsMember({"none", "exits", "mmio"}))
      ->capture_default_str();
  run->add_option("--timeout", args.timeout,
                  "Stop the guest after this many seconds (0 = never, at most 30 days); "
                  "status 124");
  run->add_flag("--verbose,-v", args.opts.verbose,
                "Log at info level to stderr (e.g. the guest boot time from the boot timer)");
  run->add_option("--append", args.opts.cmdline,
                  "Kernel command line: the device tree's bootargs (aarch64, riscv64), the "
                  "Linux or multiboot command line (x86_64, kvm backend)");
  run->add_option("--kernel", args.opts.guest_path,
                  "Linux x86 bzImage to boot (kvm backend), instead of a guest ELF");
  run->add_option("--initrd", args.opts.initrd_path, "Initial RAM disk for --kernel");
  run->add_option("--dump-dtb", args.opts.dump_dtb,
                  "Write the device tree the guest would get to this file and exit without "
                  "running (the guest may then be left out if --arch is given)");
  run->add_option("--dtb", args.opts.dtb,
                  "Give the guest this device tree blob instead of the board's");
  tandem::cli::add_machine_option(*run, args.opts.machine);
  run->add_option("--gdb", args.opts.gdb,
                  "Serve the GDB remote protocol on tcp::PORT (127.0.0.1), tcp:HOST:PORT or "
                  "unix:PATH (emu backend); `target remote` from gdb-multiarch");
  run->add_flag("--wait-gdb", args.opts.wait_gdb,
                "With --gdb: wait for the debugger before the guest's first instruction");
  run->add_option("guest", args.opts.guest_path, "Guest ELF image (or multiboot image, bzImage)");
  run->callback([&args, &result] { result = run_from_args(args); });
}

int parse_and_run(int argc, char** argv) {
  CLI::App app(kDescription, "tandem");
  app.require_subcommand(1);
  int result = 0;
  RunArgs run_args;
  add_run(app, run_args, result);
  app.add_subcommand("info", "List the backends and guest architectures this host can run")
      ->callback([&] { result = tandem::cli::info_command(); });
  tandem::cli::add_build_image(app, result);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : 2;
  }
  return result;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return parse_and_run(argc, argv);
  } catch (const std::exception& e) {
    // Out of memory or a library failure: a message and the backend-failure status, not an
    // abort.
    std::fprintf(stderr, "tandem: error: %s\n", e.what());
  } catch (...) {
    std::fprintf(stderr, "tandem: error: unknown exception\n");
  }
  return 125;
}

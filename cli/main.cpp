// SPDX-License-Identifier: Apache-2.0
// `tandem`: run guests from the command line, list what this host can run, and pack bare-metal
// images. Exit status: the guest's own status after `run`; 2 for a usage or input error; 125
// when the guest faulted or the backend failed (the message says which).
#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "backends/emu/emu_icount.h"
#include "cli/boot_options.h"
#include "cli/commands.h"
#include "cli/config_keys.h"
#include "cli/deterministic.h"
#include "cli/device_options.h"
#include "cli/machine_option.h"
#include "cli/options.h"
#include "cli/vm_config.h"

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
  tandem run --mem 512M --cpus 2 --kernel Image --initrd rd.gz \
             --append "console=ttyAMA0"       boot Linux (arm64 Image, RISC-V Image, ELF)
  tandem run --arch aarch64 --mem 512M --bios u-boot.bin   firmware in flash at 0 (aarch64)
  tandem run --backend kvm --mem 256M --cpus 2 --kernel bzImage --initrd rd.gz \
             --append "console=ttyS0"         boot Linux (x86_64, 64-bit boot protocol)

The guest's console goes to stdout; Tandem's own messages go to stderr. The exit status is the
guest's (PSCI SYSTEM_OFF = 0, semihosting / sifive_test / isa-debug-exit carry any status);
2 = bad command line or guest file; 125 = the guest faulted (e.g. touched unmapped memory) or
the backend failed.)";

// The raw text of `tandem run`'s options; to_run_options() validates it with clear messages.
struct RunArgs {
  std::string backend = "emu";
  std::string arch;
  std::string mem = "128M";
  std::string trace = "none";
  std::string timeout = "0";
  std::vector<std::string> guests;  // one guest image, or VM config files
  std::vector<std::string> drives;
  std::vector<std::string> nics;
  std::string console;  // --console: a device and/or where it goes
  std::string icount_shift;
  RunOptions opts;
};

// A usage error: "tandem: error: ..." or, for a config key, "FILE:LINE: [section] key: error: ...".
void usage_error(const std::string& where, const std::string& message) {
  if (where.empty()) {
    std::fprintf(stderr, "tandem: error: %s\n", message.c_str());
  } else {
    std::fprintf(stderr, "%s: error: %s\n", where.c_str(), message.c_str());
  }
}

// Parses each value of a repeatable option with `parse` into `out`; false after printing why.
template <class Spec>
bool parse_each(const std::vector<std::string>& texts,
                std::optional<Spec> (*parse)(const std::string&, std::string&),
                std::vector<Spec>& out, const std::string& where) {
  for (const std::string& text : texts) {
    std::string error;
    auto spec = parse(text, error);
    if (!spec) {
      usage_error(where, error);
      return false;
    }
    out.push_back(*spec);
  }
  return true;
}

std::optional<RunOptions> to_run_options(RunArgs& args, const std::string& where = {}) {
  RunOptions& opts = args.opts;
  if (args.guests.size() > 1) {
    usage_error(where, "name one guest image (or several VM configs: *.toml)");
    return std::nullopt;
  }
  if (args.guests.size() == 1) {
    if (!opts.guest_path.empty()) {
      usage_error(where, "name either a guest image or --kernel, not both");
      return std::nullopt;
    }
    opts.guest_path = args.guests[0];
  }
  if (opts.guest_path.empty() && opts.dump_dtb.empty() && opts.bios_path.empty()) {
    usage_error(where, "name a guest image, a kernel with --kernel, or firmware with --bios");
    return std::nullopt;
  }
  opts.backend = *tandem::cli::parse_backend(args.backend);
  if (!args.arch.empty()) opts.arch = tandem::cli::parse_arch(args.arch);
  auto size = tandem::cli::parse_size(args.mem);
  if (!size) {
    usage_error(where, "--mem '" + args.mem + "' is not a size (e.g. 128M, 1G)");
    return std::nullopt;
  }
  opts.mem_bytes = *size;
  const auto timeout = tandem::cli::parse_timeout(args.timeout);
  if (!timeout) {
    usage_error(where, "--timeout '" + args.timeout + "' is not a number of seconds from 0 to " +
                           std::to_string(static_cast<long>(tandem::cli::kMaxTimeoutSeconds)));
    return std::nullopt;
  }
  opts.timeout_s = *timeout;
  if (!parse_each(args.drives, tandem::cli::parse_drive, opts.virtio.drives, where) ||
      !parse_each(args.nics, tandem::cli::parse_nic, opts.virtio.nics, where))
    return std::nullopt;
  // --console uart|virtio[,stdio|prefix|file:PATH|socket:PATH]: the device, then where it goes.
  size_t start = 0;
  while (!args.console.empty() && start <= args.console.size()) {
    const size_t comma = std::min(args.console.find(',', start), args.console.size());
    const std::string item = args.console.substr(start, comma - start);
    if (item == "uart" || item == "virtio") {
      opts.virtio.console = item == "virtio";
    } else if (item == "stdio" || item == "prefix" || item.rfind("file:", 0) == 0 ||
               item.rfind("socket:", 0) == 0) {
      if (!opts.console.empty()) {
        usage_error(where, "--console " + args.console + ": name one place for the console");
        return std::nullopt;
      }
      opts.console = item;
    } else {
      usage_error(where, "--console " + args.console + ": '" + item +
                             "' is neither a device (uart, virtio) nor a place (stdio, prefix, "
                             "file:PATH, socket:PATH)");
      return std::nullopt;
    }
    start = comma + 1;
  }
  if (!args.icount_shift.empty()) {
    const auto shift = tandem::cli::parse_icount_shift(args.icount_shift);
    if (!shift) {
      usage_error(where, "--icount-shift '" + args.icount_shift +
                             "' is not a whole number from 0 to " +
                             std::to_string(tandem::emu::kMaxIcountShift));
      return std::nullopt;
    }
    opts.icount = true;
    opts.icount_shift = *shift;
  }
  if (!opts.record.empty() && !opts.replay.empty()) {
    usage_error(where, "--record and --replay: a run either records or replays");
    return std::nullopt;
  }
  if (!opts.record.empty() || !opts.replay.empty()) opts.icount = true;
  // A guest reset ends an --icount run (as --no-reboot): a restarted VM would start a new count,
  // which a record cannot follow yet.
  if (opts.icount) opts.no_reboot = true;
  std::string trace_error;
  const auto trace = tandem::cli::parse_trace(args.trace, trace_error);
  if (!trace) {
    usage_error(where, "--trace " + args.trace + ": " + trace_error);
    return std::nullopt;
  }
  opts.trace = *trace;
  if (!opts.trace_file.empty() && !opts.trace.any()) {
    usage_error(where, "--trace-file " + opts.trace_file + " needs --trace (what to trace)");
    return std::nullopt;
  }
  return opts;
}

void add_run_options(CLI::App* run, RunArgs& args) {
  run->add_option("--backend,-b", args.backend, "Execution backend: emu | kvm")
      ->check(CLI::IsMember({"emu", "kvm"}))
      ->capture_default_str();
  run->add_option("--arch,-a", args.arch,
                  "Guest architecture: aarch64 | riscv64 | x86_64 (default: from the ELF)")
      ->check(CLI::IsMember({"aarch64", "arm64", "riscv64", "x86_64", "amd64"}));
  run->add_option("--trace,-t", args.trace,
                  "Print one line per exit (exits), per device access (mmio) and/or per "
                  "instruction at a guest-virtual PC in a range (insn=START-END, emu), "
                  "comma-separated, to stderr: the device and register by name, the "
                  "instruction at the PC disassembled")
      ->capture_default_str();
  run->add_option("--trace-file", args.opts.trace_file,
                  "Write the --trace lines to this file instead of stderr");
  run->add_option("--timeout", args.timeout,
                  "Stop the guest after this many seconds (0 = never, at most 30 days); "
                  "status 124");
  run->add_flag("--verbose,-v", args.opts.verbose,
                "Log at info level to stderr (e.g. the guest boot time from the boot timer)");
  run->add_option("--dump-dtb", args.opts.dump_dtb,
                  "Write the device tree the guest would get to this file and exit without "
                  "running (the guest may then be left out if --arch is given)");
  tandem::cli::add_boot_options(*run, args.mem, args.opts);
  tandem::cli::add_machine_option(*run, args.opts.machine);
  run->add_option("--name", args.opts.name,
                  "The VM's name: its console prefix and its name for `tandem ctl` (default: the "
                  "guest file's name)");
  run->add_option("--console", args.console,
                  "The console's device and/or where it goes, comma-separated: uart (the "
                  "board's UART, the default) | virtio (also a virtio console, Linux's hvc0, "
                  "which then takes the input); stdio | prefix (each line \"[name] \") | "
                  "file:PATH | socket:PATH (a Unix socket tandem listens on: one client at a "
                  "time gets the output and types the input) (default: stdio for one VM, "
                  "prefix for several)");
  tandem::cli::add_device_options(*run, args.drives, args.opts.virtio.rng,
                                  {"repeatable; an x86_64 Linux finds the virtio devices in "
                                   "the pc board's ACPI DSDT, not on its command line",
                                   "the host's getrandom()"});
  run->add_option("--nic", args.nics,
                  "A virtio-net device on a user-mode network (libslirp, as QEMU's -nic user; emu "
                  "and kvm): "
                  "user[,hostfwd=tcp::HOSTPORT-:GUESTPORT]...[,mac=52:54:00:12:34:56] "
                  "(repeatable)")
      ->allow_extra_args(false);
  run->add_option("--api-socket", args.opts.api_socket,
                  "Serve the control protocol on this Unix socket (`tandem ctl`); tandem then "
                  "runs until `tandem ctl quit`");
  run->add_option("--gdb", args.opts.gdb,
                  "Serve the GDB remote protocol on tcp::PORT (127.0.0.1), tcp:HOST:PORT or "
                  "unix:PATH (emu, or kvm for x86_64; one VM); `target remote` from gdb-multiarch");
  run->add_flag("--wait-gdb", args.opts.wait_gdb,
                "With --gdb: wait for the debugger before the guest's first instruction");
  run->add_flag("--icount", args.opts.icount,
                "Guest time from the instructions executed (emu): runs with the same "
                "input take the same path; exit traces show the count (icount=)");
  run->add_option("--icount-shift", args.icount_shift,
                  "With --icount (implied): 2^N ns of guest time per instruction, N from 0 "
                  "(the default) to 10 (QEMU's -icount shift=N)");
  run->add_option("--record", args.opts.record,
                  "Record the run's console input with the instruction count it arrived at, and "
                  "its exits, into this file (implies --icount)");
  run->add_option("--replay", args.opts.replay,
                  "Repeat a run --record saved, with its console input (the host's is dropped); "
                  "a run that diverges from it stops and says where (implies --icount)");
  run->add_option("--reboot-limit", args.opts.reboot_limit,
                  "Restart the VM from its files on at most this many guest resets (PSCI "
                  "SYSTEM_RESET, SBI SRST reboot); the next reset ends it (status 0); 0 = no "
                  "limit, the default, as QEMU")
      ->check(CLI::Range(0u, 1'000'000u));
  run->add_flag("--no-reboot", args.opts.no_reboot,
                "A guest reset ends the VM (status 0) instead of restarting it, as QEMU's "
                "-no-reboot");
  run->add_option("guest", args.guests, "Guest image (as --kernel), or VM config files (*.toml)");
}

// Parses `tandem run`'s words (a config's keys made into options) into options; nullopt after
// printing why, starting with `where` (the config file, line and key) when given.
std::optional<RunOptions> parse_run_words(const std::vector<std::string>& words,
                                          const std::string& where = {}) {
  CLI::App app("", "tandem");
  auto* run = app.add_subcommand("run");
  RunArgs args;
  add_run_options(run, args);
  std::vector<std::string> argv{"run"};
  argv.insert(argv.end(), words.begin(), words.end());
  std::reverse(argv.begin(), argv.end());  // CLI11 takes a vector in reverse order
  try {
    app.parse(argv);
  } catch (const CLI::ParseError& e) {
    usage_error(where, e.what());
    return std::nullopt;
  }
  return to_run_options(args, where);
}

std::vector<std::string> words_of(const tandem::cli::ConfigWord& w) {
  std::vector<std::string> out;
  if (!w.option.empty()) out.push_back(w.option);
  if (!w.option.empty() && w.value.empty()) return out;  // a flag
  out.push_back(w.value);
  return out;
}

// A VM config's options, with the command line's own options (`cmdline`: the words after
// `run` other than the configs) in place of the config's for the options the command line
// gives. nullopt after printing why, naming the file, line and key at fault.
std::optional<RunOptions> options_from_config(const std::string& path,
                                              const std::vector<std::string>& cmdline,
                                              const CLI::App* cmdline_run) {
  auto config = tandem::cli::read_vm_config(path);
  if (!config) return std::nullopt;
  std::vector<std::string> words;
  for (const auto& w : *config) {
    if (cmdline_run != nullptr && !w.option.empty()) {
      const CLI::Option* given = cmdline_run->get_option_no_throw(w.option);
      if (given != nullptr && given->count() > 0) continue;
    }
    // Each key alone first, so an error names the key it comes from.
    std::vector<std::string> alone = words_of(w);
    // With a stand-in for the guest, which --dump-dtb is without writing anything (the key's
    // own words are only parsed here).
    if (!w.option.empty() && w.option != "--dump-dtb") {
      alone.push_back("--dump-dtb");
      alone.push_back("config-check.dtb");
    }
    if (!parse_run_words(alone, w.where)) return std::nullopt;
    for (auto& word : words_of(w)) words.push_back(std::move(word));
  }
  words.insert(words.end(), cmdline.begin(), cmdline.end());
  return parse_run_words(words, path);
}

int run_from_args(RunArgs& args, const CLI::App* run, const std::vector<std::string>& raw) {
  std::vector<std::string> configs;
  for (const auto& g : args.guests)
    if (tandem::cli::is_vm_config(g)) configs.push_back(g);
  const tandem::cli::ConfigLoader load = [](const std::string& path) {
    return options_from_config(path, {}, nullptr);
  };
  if (configs.empty()) {
    auto opts = to_run_options(args);
    if (!opts) return tandem::cli::kExitUsage;
    return tandem::cli::run_command({*opts}, load);
  }
  if (configs.size() != args.guests.size()) {
    std::fprintf(stderr, "tandem: error: name VM configs (*.toml) or one guest image, not both\n");
    return tandem::cli::kExitUsage;
  }
  std::vector<std::string> cmdline;
  for (const auto& word : raw)
    if (std::find(configs.begin(), configs.end(), word) == configs.end()) cmdline.push_back(word);
  std::vector<RunOptions> vms;
  for (const auto& path : configs) {
    auto opts = options_from_config(path, cmdline, run);
    if (!opts) return tandem::cli::kExitUsage;
    vms.push_back(std::move(*opts));
  }
  return tandem::cli::run_command(vms, load);
}

void add_run(CLI::App& app, RunArgs& args, const std::vector<std::string>& raw, int& result) {
  auto* run = app.add_subcommand("run",
                                 "Run a guest ELF, or the VMs of config files, and show "
                                 "their consoles");
  run->footer(kRunFooter);
  add_run_options(run, args);
  run->callback([&args, run, &raw, &result] { result = run_from_args(args, run, raw); });
}

// `tandem config-keys`: each `tandem run` option and the VM config key that sets it.
int config_keys_command() {
  for (const auto& k : tandem::cli::kConfigKeys)
    std::printf("%s [%s] %s\n", *k.option != 0 ? k.option : "guest", k.section, k.key);
  return 0;
}

int parse_and_run(int argc, char** argv) {
  CLI::App app(kDescription, "tandem");
  app.require_subcommand(1);
  int result = 0;
  RunArgs run_args;
  // The words after `run`: with VM configs, they apply on top of each config's.
  std::vector<std::string> run_words;
  for (int i = 2; i < argc && std::string(argv[1]) == "run"; i++) run_words.emplace_back(argv[i]);
  add_run(app, run_args, run_words, result);
  app.add_subcommand("config-keys",
                     "List each `tandem run` option and the VM config key that "
                     "sets it")
      ->callback([&] { result = config_keys_command(); });
  app.add_subcommand("info", "List the backends and guest architectures this host can run")
      ->callback([&] { result = tandem::cli::info_command(); });
  tandem::cli::add_build_image(
      app, result, [](const std::string& path) { return options_from_config(path, {}, nullptr); });
  tandem::cli::add_ctl(app, result);
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

// SPDX-License-Identifier: Apache-2.0
// `tandem run`: read the guest, pick the architecture and backend, build the VM, run it, and
// turn how it stopped into the process status.
#include <spdlog/spdlog.h>

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <fstream>
#include <iterator>
#include <memory>
#include <mutex>
#include <thread>
#include <type_traits>
#include <vector>

#include "backends/emu/emu_machine.h"
#include "backends/hosted/host_log.h"
#include "cli/commands.h"
#include "cli/console_input.h"
#include "cli/console_sink.h"
#include "cli/exit_tracer.h"
#include "cli/gdb_stub.h"
#include "cli/guest_file.h"
#include "cli/input_file.h"
#include "cli/machine_option.h"
#include "cli/terminal_mode.h"
#include "core/vm/vm.h"
#ifdef TANDEM_HAVE_KVM
#include "backends/kvm/kvm_hal.h"
#endif

namespace tandem::cli {
namespace {

// Stops the VM when the time limit passes, unless the run ends first.
class Watchdog {
 public:
  template <class Stop>
  Watchdog(double seconds, Stop stop) {
    if (seconds <= 0) return;
    m_thread = std::thread([this, seconds, stop] {
      std::unique_lock lock(m_mutex);
      if (!m_cv.wait_for(lock, std::chrono::duration<double>(seconds), [this] { return m_done; }))
        stop();
    });
  }
  ~Watchdog() {
    {
      std::lock_guard lock(m_mutex);
      m_done = true;
    }
    m_cv.notify_all();
    if (m_thread.joinable()) m_thread.join();
  }

 private:
  std::mutex m_mutex;
  std::condition_variable m_cv;
  bool m_done = false;
  std::thread m_thread;
};

int report(const StopInfo& stop) {
  switch (stop.kind) {
    case StopKind::kPowerOff: return stop.status & 0xff;
    case StopKind::kReset:
      spdlog::warn("the guest asked for a reset; resets are not supported yet, stopping");
      return 0;
    case StopKind::kTimeout: spdlog::error("{}", stop.message); return 124;
    case StopKind::kFault: spdlog::error("guest fault: {}", stop.message); return kExitFault;
    case StopKind::kError:
    case StopKind::kRunning: spdlog::error("backend failure: {}", stop.message); return kExitFault;
  }
  return kExitFault;
}

const char* explain(const VmError& err) {
  switch (err.step) {
    case VmStep::kRamSize:
      return "--mem must be a multiple of 4 KiB, non-zero, within the board's RAM window";
    case VmStep::kImage:
      if (err.status == Status::kOutOfRange)
        return "the guest image does not fit its RAM (raise --mem, or check the ELF's load "
               "addresses)";
      if (err.status == Status::kUnsupported)
        return "the ELF is not a 64-bit image for the VM's architecture";
      if (err.status == Status::kOverlap)
        return "the x86_64 image overlaps the boot page tables at 0x10000..0x17000";
      return "the ELF is malformed";
    case VmStep::kMultiboot:
      if (err.status == Status::kOutOfRange)
        return "the image must load between 1 MiB and the top 128 KiB of RAM (4 MiB .. 4 GiB "
               "of RAM)";
      return "the multiboot image is malformed or asks for unsupported features";
    case VmStep::kLinux:
      if (err.status == Status::kOutOfRange)
        return "the kernel (its preferred address + init_size) and the initrd do not both fit "
               "in RAM (raise --mem)";
      if (err.status == Status::kInvalidArgument)
        return "the command line is longer than the kernel accepts (its cmdline_size)";
      return "the bzImage is malformed";
    case VmStep::kMachine: return "the backend could not create the VM (see the messages above)";
    case VmStep::kDtb:
      if (err.status == Status::kBadImage)
        return "the --dtb file is not a flattened device tree (DTB, magic 0xd00dfeed, version "
               ">= 16)";
      if (err.status == Status::kUnsupported)
        return "this board takes no device tree (x86_64 guests boot without one)";
      if (err.status == Status::kOutOfRange)
        return "the device tree does not fit in guest RAM beside the image (raise --mem)";
      return "the board's device tree could not be built";
    default: return "";
  }
}

// The host's stdin reaches the guest's console UART. Ctrl-A x stops the VM; at end of input
// the VM is told, so a guest that only waits for input is known to be stuck.
template <class V>
std::unique_ptr<ConsoleInput> start_input(V& vm, std::atomic<bool>& user_quit) {
  vm.set_input_open(true);
  auto input = ConsoleInput::start(
      STDIN_FILENO, [&vm](uint8_t c) { return vm.console_input().push(c); },
      [&vm] { vm.notify_input(); },
      [&vm, &user_quit] {
        user_quit.store(true);
        vm.request_stop();
      },
      [&vm] { vm.set_input_open(false); });
  if (!input) {
    spdlog::warn("console input unavailable: {}", to_string(input.error()));
    vm.set_input_open(false);
    return nullptr;
  }
  return std::move(*input);
}

// Runs the vCPUs: round-robin on this thread, or one thread per vCPU where the backend needs
// it (KVM with its in-kernel irqchip blocks in KVM_RUN while a vCPU halts), this thread then
// serving console input and timers.
template <class V>
const StopInfo& run_to_stop(V& vm, unsigned cpus) {
  if constexpr (V::Machine::kTraits.thread_per_vcpu) {
    vm.set_threaded();
    std::vector<std::thread> threads;
    for (unsigned i = 0; i < cpus; i++) threads.emplace_back([&vm, i] { vm.run_cpu(i); });
    vm.service();
    vm.request_stop();
    for (auto& t : threads) t.join();
    return vm.finish();
  } else {
    return vm.run();
  }
}

// `--dump-dtb FILE`: the device tree the guest would get, written to FILE.
template <class V>
int dump_dtb(V& vm, const std::string& path) {
  auto dtb = vm.device_tree();
  if (!dtb) {
    spdlog::error("--dump-dtb: the {} board has no device tree ({})", vm.board().name(),
                  to_string(dtb.error()));
    return kExitUsage;
  }
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(dtb->data()), static_cast<std::streamsize>(dtb->size()));
  if (!out.good()) {
    spdlog::error("--dump-dtb: cannot write {}", path);
    return kExitUsage;
  }
  return 0;
}

template <class H>
int run_vm(const RunOptions& opts, const GuestFile& guest) {
  typename H::PagingHandler paging;
  StdoutSink console;
  StderrTracer tracer;
  auto vm = std::make_unique<Vm<H>>(paging, console, guest.arch);
  VmConfig config;
  config.arch = guest.arch;
  config.ram_size = opts.mem_bytes;
  config.cpus = opts.cpus;
  config.bootargs = opts.cmdline;
  config.dtb = guest.dtb;
  config.board = opts.machine.c_str();
  VmError err;
  if (!opts.dump_dtb.empty()) {
    if (!vm->setup(config, err)) {
      spdlog::error("{} ({}). {}", to_string(err.step), to_string(err.status), explain(err));
      return kExitUsage;
    }
    return dump_dtb(*vm, opts.dump_dtb);
  }
  const std::string cmdline = opts.guest_path + " " + opts.cmdline;  // QEMU's convention
  std::vector<uint8_t> initrd;
  if (!opts.initrd_path.empty()) {
    auto bytes = read_input_file(opts.initrd_path);
    if (!bytes) return kExitUsage;
    initrd = std::move(*bytes);
  }
  const LinuxImage linux_image{guest.bytes, initrd, opts.cmdline};
  const bool loaded = vm->setup(config, err) &&
                      (guest.bzimage     ? vm->load_linux(linux_image, err).ok()
                       : guest.multiboot ? vm->load_multiboot(guest.bytes, cmdline, err).ok()
                                         : vm->load(guest.bytes, err).ok());
  if (!loaded) {
    spdlog::error("{}: {} ({}). {}", opts.guest_path, to_string(err.step), to_string(err.status),
                  explain(err));
    return kExitUsage;
  }
  if (opts.trace != TraceMode::kNone)
    vm->exits().set_tracer(&tracer, opts.trace == TraceMode::kMmio);
  std::optional<GdbStub> stub;
  if constexpr (std::is_same_v<H, EmuHal>) {
    if (!opts.gdb.empty()) {
      stub = GdbStub::start(*vm, guest.arch, opts.cpus, opts.gdb, opts.wait_gdb);
      if (!stub) return kExitUsage;
    }
  }
  // On a terminal the guest's console is interactive: show each byte as it is written. Into a
  // pipe or a file, each line as it ends, so a reader (tee, a test) sees the guest progress.
  std::setvbuf(stdout, nullptr, isatty(STDOUT_FILENO) ? _IONBF : _IOLBF, BUFSIZ);
  std::atomic<bool> user_quit{false};
  const StopInfo* stop = nullptr;
  {
    TerminalMode terminal(STDIN_FILENO);
    // A background `tandem run ... &` must not read the terminal (SIGTTIN would stop it).
    std::unique_ptr<ConsoleInput> input;
    if (!TerminalMode::is_background_tty(STDIN_FILENO)) input = start_input(*vm, user_quit);
    Watchdog watchdog(opts.timeout_s, [&vm] { vm->request_stop(); });
    stop = &run_to_stop(*vm, opts.cpus);
  }
  std::fflush(stdout);
  if (user_quit.load()) {
    std::fprintf(stderr, "tandem: terminated by the user (Ctrl-A x)\n");
    return 0;
  }
  const int status = report(*stop);
  if (stub) stub->server->on_exit(status);
  return status;
}

}  // namespace

int run_command(const RunOptions& opts) {
  hosted::install_log_sink(opts.verbose ? log::Level::kInfo : log::Level::kWarn);
  std::optional<GuestFile> guest;
  if (!opts.guest_path.empty()) {
    guest = read_guest_file(opts.guest_path, opts.arch);
  } else if (!opts.dump_dtb.empty() && opts.arch) {
    guest = GuestFile{{}, *opts.arch, false, {}};
  } else {
    spdlog::error("no guest image given (only --dump-dtb with --arch runs without one)");
  }
  if (!guest || !check_machine(guest->arch, opts.machine)) return kExitUsage;
  if (!opts.dtb.empty()) {
    auto dtb = read_input_file(opts.dtb);
    if (!dtb) return kExitUsage;
    guest->dtb = std::move(*dtb);
  }
  if (opts.cpus > 1 && guest->arch == Arch::kX86_64 && opts.backend != Backend::kKvm) {
    spdlog::error(
        "--cpus {}: x86_64 guests on the emu backend have no interrupts (Unicorn cannot deliver "
        "them), so they cannot start other CPUs; use --backend kvm",
        opts.cpus);
    return kExitUsage;
  }
  if (!opts.initrd_path.empty() && !guest->bzimage) {
    spdlog::error("--initrd {}: only a Linux bzImage (--kernel) takes an initrd", opts.initrd_path);
    return kExitUsage;
  }
  if (guest->bzimage && opts.backend != Backend::kKvm) {
    spdlog::error(
        "{}: a Linux kernel needs interrupts and the PC's interrupt controllers, which the "
        "kvm backend has (--backend kvm); x86 guests on emu have no interrupts",
        opts.guest_path);
    return kExitUsage;
  }
  if (guest->multiboot && opts.backend != Backend::kKvm) {
    spdlog::error(
        "{}: multiboot images start in 32-bit protected mode, which needs the kvm "
        "backend (--backend kvm); Unicorn cannot switch an x86 CPU to long mode",
        opts.guest_path);
    return kExitUsage;
  }
  if (opts.wait_gdb && opts.gdb.empty()) {
    spdlog::error("--wait-gdb needs --gdb (where the debugger connects)");
    return kExitUsage;
  }
  if (!opts.gdb.empty() && opts.backend != Backend::kEmu) {
    spdlog::error("--gdb: the GDB stub runs on the emu backend only (kvm: not yet)");
    return kExitUsage;
  }
  if (opts.backend == Backend::kKvm) {
#ifdef TANDEM_HAVE_KVM
    if (guest->arch != Arch::kX86_64) {
      spdlog::error(
          "{}: the kvm backend runs x86_64 guests on this host, not {}; use --backend emu",
          opts.guest_path, to_string(guest->arch));
      return kExitUsage;
    }
    const KvmAvailability kvm = KvmMachine::availability();
    if (!kvm.usable) {
      spdlog::error("kvm backend unavailable: {}", kvm.reason);
      return kExitUsage;
    }
    return run_vm<KvmHal>(opts, *guest);
#else
    spdlog::error("this tandem was built without the kvm backend (x86_64 Linux hosts only)");
    return kExitUsage;
#endif
  }
  return run_vm<EmuHal>(opts, *guest);
}

}  // namespace tandem::cli

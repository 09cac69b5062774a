// SPDX-License-Identifier: Apache-2.0
// `tandem run`: read each guest, pick its architecture and backend, build the VMs, run them
// (vm_group.h), and turn how they stopped into the process status.
#include <spdlog/spdlog.h>

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

#include "backends/emu/emu_machine.h"
#include "backends/hosted/host_log.h"
#include "cli/api_server.h"
#include "cli/commands.h"
#include "cli/console_sink.h"
#include "cli/deterministic.h"
#include "cli/exit_tracer.h"
#include "cli/gdb_stub.h"
#include "cli/guest_code.h"
#include "cli/guest_file.h"
#include "cli/input_file.h"
#include "cli/machine_option.h"
#include "cli/managed_vm.h"
#include "cli/vm_group.h"
#include "core/vm/vm.h"
#ifdef TANDEM_HAVE_KVM
#include "backends/kvm/kvm_hal.h"
#endif

namespace tandem::cli {
namespace {

const char* explain(const VmError& err) {
  switch (err.step) {
    case VmStep::kRamSize:
      return "--mem must be a multiple of 4 KiB, non-zero, within the board's RAM window";
    case VmStep::kImage:
      if (err.image != ImageError::kNone) return describe(err.image);
      if (err.placement != PlacementError::kNone) return describe(err.placement);
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
    case VmStep::kFirmware:
      if (err.status == Status::kUnsupported)
        return "this board runs no firmware from flash (riscv64: Tandem itself is the SBI "
               "firmware; give an S-mode payload such as U-Boot qemu-riscv64_smode with "
               "--kernel)";
      if (err.status == Status::kOutOfRange) return "the firmware is bigger than the flash bank";
      if (err.status == Status::kInvalidArgument)
        return "--bios boots the firmware alone; it loads the kernel itself (leave out --kernel "
               "and --initrd)";
      return "the firmware could not be mapped";
    case VmStep::kInitrd:
      if (err.status == Status::kOutOfRange)
        return "the initrd does not fit in guest RAM beside the kernel (raise --mem)";
      return "this kernel takes no initrd (multiboot images, and boards without a device tree "
             "for ELF guests)";
    case VmStep::kMachine: return "the backend could not create the VM (see the messages above)";
    case VmStep::kVirtio:
      if (err.status == Status::kCapacity)
        return "more virtio devices than the board has virtio-mmio transports (aarch64 virt: 32, "
               "riscv64 virt: 8, x86_64 pc: 8)";
      return "this board has no virtio-mmio transports";
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

// A VM of backend H with what it keeps alive: the frames' allocator, the guest's bytes (the
// loaders keep spans into them) and the trace sink.
template <class H>
class HostedVm final : public ManagedVm {
 public:
  HostedVm(const RunOptions& opts, GuestFile guest, std::optional<GuestFile> bios,
           std::vector<uint8_t> dtb, CharSink& console)
      : m_console(console),
        m_opts(opts),
        m_guest(std::move(guest)),
        m_bios(std::move(bios)),
        m_dtb(std::move(dtb)),
        m_vm(m_paging, console, m_guest.arch) {}

  // Builds and loads the VM; false after printing why (`status`: the process status).
  bool setup(int& status) {
    VmConfig config;
    config.arch = m_guest.arch;
    config.ram_size = m_opts.mem_bytes;
    config.cpus = m_opts.cpus;
    config.bootargs = m_opts.cmdline;
    config.dtb = m_dtb;
    config.board = m_opts.machine.c_str();
    VmError err;
    status = kExitUsage;
    // A multiboot command line starts with the image's name (QEMU's convention).
    m_cmdline = m_guest.format == KernelFormat::kMultiboot
                    ? m_opts.guest_path + " " + m_opts.cmdline
                    : m_opts.cmdline;
    if (!m_opts.initrd_path.empty()) {
      auto bytes = read_input_file(m_opts.initrd_path);
      if (!bytes) return false;
      m_initrd = std::move(*bytes);
    }
    if constexpr (std::is_same_v<H, EmuHal>) {
      if ((!m_opts.record.empty() || !m_opts.replay.empty()) && !open_record_replay()) return false;
    }
    // The devices outlive the VM that points at them (m_vm is the last member).
    m_virtio = VirtioSet::create(
        m_opts.virtio, m_console, [] { H::wake(); }, m_record.get());
    if (!m_virtio) return false;
    config.virtio = m_virtio->devices();
    if (!m_opts.dump_dtb.empty()) {
      if (!m_vm.setup(config, err)) {
        spdlog::error("{} ({}). {}", to_string(err.step), to_string(err.status), explain(err));
        return false;
      }
      status = dump_dtb(m_vm, m_opts.dump_dtb);
      return false;
    }
    if (m_bios) config.firmware = m_bios->bytes;
    const BootFiles files{m_guest.bytes, m_initrd, m_cmdline};
    if (!m_vm.setup(config, err) || !m_vm.boot(files, err)) {
      const std::string& what = err.step == VmStep::kFirmware ? m_opts.bios_path
                                : err.step == VmStep::kInitrd ? m_opts.initrd_path
                                                              : m_opts.guest_path;
      spdlog::error("{}: {} ({}). {}", what, to_string(err.step), to_string(err.status),
                    explain(err));
      return false;
    }
    if (m_opts.trace.any() && !start_trace()) return false;
    if constexpr (std::is_same_v<H, EmuHal>) {
      if (m_opts.icount && m_tracer) m_tracer->show_count(&emu::icount_now);
      if (m_record) start_record_replay();
    }
    if (!m_opts.gdb.empty()) {
      m_gdb = GdbStub<H>::start(m_vm, m_guest.arch, m_opts.cpus, m_opts.gdb, m_opts.wait_gdb);
      if (!m_gdb) return false;
    }
    return true;
  }

  const StopInfo& run() override {
    const StopInfo* stop = &run_to_stop(m_vm, m_opts.cpus);
    if (m_record) {
      if (auto diverged = m_record->finish(*stop)) {
        m_record_stop.set_fault(StopKind::kFault, "%s", diverged->c_str());
        stop = &m_record_stop;
      }
    }
    if (m_gdb) m_gdb->server->on_exit(stop_status(*stop));  // the client sees the exit status
    return *stop;
  }
  void request_stop() override { m_vm.request_stop(); }
  void pause() override { m_vm.pause(); }
  void resume() override { m_vm.resume(); }
  bool push_input(uint8_t c) override {
    return m_record ? m_record->push(c) : m_vm.console_input().push(c);
  }
  void notify_input() override { m_vm.notify_input(); }
  void set_input_open(bool open) override {
    if (m_record) return m_record->set_input_open(open);
    m_vm.set_input_open(open);
  }
  uint64_t exit_count(ExitKind kind) override { return m_vm.exits().exit_count(kind); }
  double guest_seconds() const override { return static_cast<double>(m_vm.guest_now_ns()) / 1e9; }
  Arch arch() const override { return m_guest.arch; }

 private:
  // --trace: the writer, on stderr or the --trace-file, as the VM's exit tracer and (emu) each
  // vCPU's instruction observer; false after a message.
  bool start_trace() {
    std::FILE* out = stderr;
    if (!m_opts.trace_file.empty()) {
      m_trace_file.reset(std::fopen(m_opts.trace_file.c_str(), "w"));
      if (!m_trace_file) {
        spdlog::error("--trace-file {}: {}", m_opts.trace_file, std::strerror(errno));
        return false;
      }
      out = m_trace_file.get();
    }
    m_tracer =
        std::make_unique<TraceWriter>(out, m_guest.arch, m_vm.exits().bus(),
                                      [this](unsigned cpu, uint64_t va, std::span<uint8_t> bytes) {
                                        return read_guest_code(m_vm, cpu, va, bytes);
                                      });
    if (m_opts.trace.mode != TraceMode::kNone)
      m_vm.exits().set_tracer(m_tracer.get(), m_opts.trace.mode == TraceMode::kMmio);
    if constexpr (std::is_same_v<H, EmuHal>) {
      // Every traced vCPU gets the instruction hook, which also keeps exit PCs exact.
      emu::InsnTrace insn{1, 0, &TraceWriter::report_instruction, m_tracer.get()};
      if (const auto& range = m_opts.trace.insn) {
        insn.begin = range->begin;
        insn.end = range->end;
      }
      for (unsigned i = 0; i < m_opts.cpus; ++i) {
        if (!m_vm.vcpu(i).trace_instructions(insn)) {
          spdlog::error("--trace: the emulator refused the instruction hook");
          return false;
        }
      }
    }
    return true;
  }

  // --record / --replay (cli/record_replay.h), opened before the devices, which record through
  // it (cli/recorded_devices.h); false after a message.
  bool open_record_replay() {
    uint64_t hash = kFnvBasis;
    for (const std::vector<uint8_t>* file : {&m_guest.bytes, &m_initrd, &m_dtb})
      hash = fnv1a(hash, file->data(), file->size());
    if (m_bios) hash = fnv1a(hash, m_bios->bytes.data(), m_bios->bytes.size());
    hash = fnv1a(hash, m_cmdline.data(), m_cmdline.size());
    RecordTarget target{[this](uint8_t c) { return m_vm.console_input().push(c); },
                        [this](bool open) { m_vm.set_input_open(open); },
                        &m_vm.exits().stop_info()};
    m_record = open_record(m_opts, m_guest.arch, hash, std::move(target));
    return m_record != nullptr;
  }

  // Once the VM is booted: console input through the record's pump, every exit through its
  // tracer (which passes --trace's lines on). A replay's VM never waits for input: whatever
  // the record has comes through the pump.
  void start_record_replay() {
    if (m_opts.trace.mode != TraceMode::kNone)
      m_record->set_trace(m_tracer.get(), m_opts.trace.mode == TraceMode::kMmio);
    m_vm.exits().set_tracer(m_record.get(), false);
    m_vm.set_input_pump(m_record.get());
    m_vm.set_input_open(m_opts.replay.empty());
  }

  CharSink& m_console;
  RunOptions m_opts;
  GuestFile m_guest;
  // Outlives the devices and the VM, which point at it.
  std::unique_ptr<RecordReplay> m_record;
  StopInfo m_record_stop;  // a replay that diverged at its end
  std::unique_ptr<VirtioSet> m_virtio;
  typename H::PagingHandler m_paging;
  // The trace file outlives the writer, and both the VM that calls it.
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> m_trace_file{nullptr, &std::fclose};
  std::unique_ptr<TraceWriter> m_tracer;
  std::optional<GuestFile> m_bios;
  std::vector<uint8_t> m_dtb;
  std::vector<uint8_t> m_initrd;
  std::string m_cmdline;
  Vm<H> m_vm;
  std::optional<GdbStub<H>> m_gdb;  // after the VM: it goes first
};

template <class H>
std::unique_ptr<ManagedVm> make_vm(const RunOptions& opts, GuestFile guest,
                                   std::optional<GuestFile> bios, std::vector<uint8_t> dtb,
                                   CharSink& console, int& status) {
  auto vm = std::make_unique<HostedVm<H>>(opts, std::move(guest), std::move(bios), std::move(dtb),
                                          console);
  if (!vm->setup(status)) return nullptr;
  return vm;
}

}  // namespace

int stop_status(const StopInfo& stop) {
  switch (stop.kind) {
    case StopKind::kPowerOff: return stop.status & 0xff;
    case StopKind::kReset: return 0;
    case StopKind::kTimeout: return 124;
    case StopKind::kFault:
    case StopKind::kError:
    case StopKind::kRunning: return kExitFault;
  }
  return kExitFault;
}

int report_stop(const StopInfo& stop, const char* prefix) {
  switch (stop.kind) {
    case StopKind::kPowerOff:
    case StopKind::kReset: break;  // VmGroup restarts the VM or reports the reset itself
    case StopKind::kTimeout: spdlog::error("{}{}", prefix, stop.message); break;
    case StopKind::kFault: spdlog::error("{}guest fault: {}", prefix, stop.message); break;
    case StopKind::kError:
    case StopKind::kRunning: spdlog::error("{}backend failure: {}", prefix, stop.message); break;
  }
  return stop_status(stop);
}

std::unique_ptr<ManagedVm> create_vm(const RunOptions& opts, CharSink& console, int& status) {
  status = kExitUsage;
  std::optional<GuestFile> guest;
  std::optional<GuestFile> bios;
  if (!opts.bios_path.empty()) {
    bios = read_guest_file(opts.bios_path, opts.arch, true);
    if (!bios) return nullptr;
  }
  if (!opts.guest_path.empty()) {
    guest = read_guest_file(opts.guest_path, opts.arch);
  } else if (bios) {
    guest = GuestFile{{}, bios->arch, KernelFormat::kRaw};
  } else if (!opts.dump_dtb.empty() && opts.arch) {
    guest = GuestFile{{}, *opts.arch, KernelFormat::kRaw};
  } else {
    spdlog::error("no guest image given (only --dump-dtb with --arch runs without one)");
  }
  if (!guest || !check_machine(guest->arch, opts.machine)) return nullptr;
  std::vector<uint8_t> dtb;
  if (!opts.dtb.empty()) {
    auto bytes = read_input_file(opts.dtb);
    if (!bytes) return nullptr;
    dtb = std::move(*bytes);
  }
  if (opts.cpus > 1 && guest->arch == Arch::kX86_64 && opts.backend != Backend::kKvm) {
    spdlog::error(
        "--cpus {}: x86_64 guests on the emu backend have no interrupts (Unicorn cannot deliver "
        "them), so they cannot start other CPUs; use --backend kvm",
        opts.cpus);
    return nullptr;
  }
  if (guest->format == KernelFormat::kBzImage && opts.backend != Backend::kKvm) {
    spdlog::error(
        "{}: a Linux kernel needs interrupts and the PC's interrupt controllers, which the "
        "kvm backend has (--backend kvm); x86 guests on emu have no interrupts",
        opts.guest_path);
    return nullptr;
  }
  if (guest->format == KernelFormat::kMultiboot && opts.backend != Backend::kKvm) {
    spdlog::error(
        "{}: multiboot images start in 32-bit protected mode, which needs the kvm "
        "backend (--backend kvm); Unicorn cannot switch an x86 CPU to long mode",
        opts.guest_path);
    return nullptr;
  }
  if (opts.wait_gdb && opts.gdb.empty()) {
    spdlog::error("--wait-gdb needs --gdb (where the debugger connects)");
    return nullptr;
  }
  if (opts.trace.insn && opts.backend != Backend::kEmu) {
    spdlog::error(
        "--trace insn=: instruction traces need the emu backend (under KVM the guest's "
        "instructions run on the CPU, with no hook between them)");
    return nullptr;
  }
  if (opts.backend == Backend::kKvm) {
#ifdef TANDEM_HAVE_KVM
    if (guest->arch != Arch::kX86_64) {
      spdlog::error(
          "{}: the kvm backend runs x86_64 guests on this host, not {}; use --backend emu",
          opts.guest_path, to_string(guest->arch));
      return nullptr;
    }
    const KvmAvailability kvm = KvmMachine::availability();
    if (!kvm.usable) {
      spdlog::error("kvm backend unavailable: {}", kvm.reason);
      return nullptr;
    }
    return make_vm<KvmHal>(opts, std::move(*guest), std::move(bios), std::move(dtb), console,
                           status);
#else
    spdlog::error("this tandem was built without the kvm backend (x86_64 Linux hosts only)");
    return nullptr;
#endif
  }
  if (!start_deterministic(opts, guest->arch)) return nullptr;
  return make_vm<EmuHal>(opts, std::move(*guest), std::move(bios), std::move(dtb), console, status);
}

int run_command(const std::vector<RunOptions>& vms, const ConfigLoader& load) {
  bool verbose = false;
  std::string api_socket;
  for (const RunOptions& o : vms) {
    verbose = verbose || o.verbose;
    if (o.api_socket.empty()) continue;
    if (!api_socket.empty() && api_socket != o.api_socket) {
      spdlog::error("--api-socket: the VMs name two sockets ({} and {}); one process serves one",
                    api_socket, o.api_socket);
      return kExitUsage;
    }
    api_socket = o.api_socket;
  }
  hosted::install_log_sink(verbose ? log::Level::kInfo : log::Level::kWarn);
  // One debugger connection drives one VM's vCPUs: --gdb is for a run of one VM.
  for (const RunOptions& o : vms) {
    if (!o.gdb.empty() && (vms.size() > 1 || !api_socket.empty())) {
      spdlog::error("--gdb {}: the GDB stub debugs the only VM of a run; this run has {}{}", o.gdb,
                    vms.size() > 1 ? "several VMs" : "a control socket (--api-socket)",
                    " (run the VM to debug alone)");
      return kExitUsage;
    }
    if (!deterministic_alone(o, vms.size(), !api_socket.empty())) return kExitUsage;
  }
  if (vms.size() == 1 && !vms[0].dump_dtb.empty()) {
    StdoutSink console;
    int status = kExitUsage;
    create_vm(vms[0], console, status);
    return status;
  }
  // Each byte as the guest writes it, on a terminal and into a pipe alike (as QEMU's
  // -nographic): a prompt or a countdown without a newline (U-Boot's "=> ", "Hit any key")
  // must reach the reader (a user, expect, a test) before the guest waits for an answer.
  std::setvbuf(stdout, nullptr, _IONBF, 0);
  VmGroup group;
  for (RunOptions opts : vms) {
    // Several VMs (or more to come through the control socket) prefix their lines.
    if (opts.console.empty())
      opts.console = vms.size() == 1 && api_socket.empty() ? "stdio" : "prefix";
    std::string error;
    if (const int status = group.add(opts, error); status != 0) {
      if (vms.size() > 1) spdlog::error("{}: {}", opts.name, error);
      return status;
    }
  }
  std::unique_ptr<ApiServer> server;
  if (!api_socket.empty()) {
    // VMs the control socket creates run without a debugger either.
    const ConfigLoader load_no_gdb = [&load](const std::string& path) {
      auto opts = load(path);
      if (opts && !opts->gdb.empty()) {
        spdlog::error(
            "{}: gdb: the GDB stub debugs the only VM of a run, not one under --api-socket", path);
        return std::optional<RunOptions>();
      }
      return opts;
    };
    server = ApiServer::start(api_socket, group, load_no_gdb);
    if (!server) return kExitUsage;
  }
  return group.run(server != nullptr);
}

}  // namespace tandem::cli

// SPDX-License-Identifier: Apache-2.0
// Vm<H>: the one template at the top (Axvisor's axvm). It owns the guest address space, the
// board (devices, interrupt controller, firmware, boot convention, device tree), the device
// bus, the exit handler and the backend's machine and vCPUs, and runs the vCPUs until the
// guest stops. Everything below it
// is plain code; H (a Hal bundle) supplies the PagingHandler, the Machine, the clock and the
// idle wait.
//
// vCPU 0 starts at the image's entry; the others start when the guest asks (PSCI CPU_ON, SBI
// HSM hart_start; on KVM x86 INIT/SIPI inside the kernel). run() runs them round-robin on the
// calling thread (emu: Unicorn engines are not safe in parallel; bare metal: one CPU), idling
// in H::idle_until() while every vCPU is halted; run_cpu() runs one vCPU for backends with a
// thread per vCPU, and service() then does the VM's own work on another thread.
#pragma once

#include <atomic>
#include <optional>
#include <span>

#include "core/base/byte_queue.h"
#include "core/base/log.h"
#include "core/board/boards.h"
#include "core/bus/device_bus.h"
#include "core/fdt/fdt.h"
#include "core/hal.h"
#include "core/mm/address_space.h"
#include "core/vcpu/cpu_control.h"
#include "core/vm/boot.h"
#include "core/vm/input_pump.h"
#include "core/vm/vm_exits.h"

namespace tandem {

struct VmConfig {
  Arch arch = Arch::kAarch64;
  uint64_t ram_size = 128ull << 20;
  unsigned cpus = 1;
  UnknownAccessPolicy unknown_access = UnknownAccessPolicy::kStop;
  const char* board = nullptr;     // board name; null: the architecture's default
  std::span<const char> bootargs;  // the device tree's /chosen bootargs
  // A device tree to give the guest instead of the board's (kept alive by the caller).
  std::span<const uint8_t> dtb;
  // Firmware that runs in place from the board's flash (QEMU's -bios; kept alive by the
  // caller); empty: none. Mapped by setup(), before the backend maps the address space.
  std::span<const uint8_t> firmware;
  // Devices behind the board's virtio-mmio transports, in order (kept alive by the caller).
  std::span<virtio::VirtioDevice* const> virtio;
  // The stage-2 tag of the VM's translations (VTTBR_EL2.VMID, hgatp.VMID): distinct for VMs
  // that share physical CPUs' TLBs (the bare-metal images' several VMs). 0: the board's.
  uint16_t vmid = 0;
};

// Which step of setup or load failed; with the status, enough for a one-line message and a
// hint the program chooses (the CLI and the bare-metal image word theirs differently).
enum class VmStep : unsigned char {
  kNone,
  kBoard,
  kVcpuCount,
  kRamSize,
  kStage2,
  kRam,
  kDevices,
  kMachine,
  kVcpu,
  kImage,
  kMultiboot,
  kLinux,
  kFirmware,
  kInitrd,
  kBootState,
  kDtb,
  kVirtio,
};

constexpr const char* to_string(VmStep step) {
  switch (step) {
    case VmStep::kNone: return "none";
    case VmStep::kBoard: return "board";
    case VmStep::kVcpuCount: return "vcpu count";
    case VmStep::kRamSize: return "guest RAM size";
    case VmStep::kStage2: return "stage-2 table";
    case VmStep::kRam: return "guest RAM";
    case VmStep::kDevices: return "devices";
    case VmStep::kMachine: return "backend machine";
    case VmStep::kVcpu: return "vcpu";
    case VmStep::kImage: return "guest image";
    case VmStep::kMultiboot: return "multiboot image";
    case VmStep::kLinux: return "Linux kernel";
    case VmStep::kFirmware: return "firmware";
    case VmStep::kInitrd: return "initrd";
    case VmStep::kBootState: return "boot state";
    case VmStep::kDtb: return "device tree";
    case VmStep::kVirtio: return "virtio devices";
  }
  return "unknown";
}

struct VmError {
  VmStep step = VmStep::kNone;
  Status status = Status::kOk;
  ImageError image = ImageError::kNone;              // what is wrong with the kernel file
  PlacementError placement = PlacementError::kNone;  // what does not fit in RAM
};

template <Hal H>
class Vm final : private CpuControl {
 public:
  using Machine = typename H::Machine;
  using Vcpu = typename Machine::Vcpu;
  static constexpr unsigned kMaxCpus = 8;
  static constexpr size_t kConsoleInputBytes = 4096;
  using InputQueue = ByteQueue<kConsoleInputBytes>;

  Vm(typename H::PagingHandler& paging, CharSink& console, Arch arch)
      : m_frames(paging),
        m_exits(m_bus),
        m_console(console),
        m_arch(arch),
        m_clock{&H::now_ns, H::now_ns(), &m_paused_time} {}
  Vm(const Vm&) = delete;
  Vm& operator=(const Vm&) = delete;

  // Builds guest RAM, the devices and interrupt controller, the backend machine and its vCPUs.
  [[nodiscard]] Result<void> setup(const VmConfig& config, VmError& err) {
    auto board =
        m_boards.create(m_arch, config.board,
                        BoardServices{m_exits.stop_info(), m_console, &H::now_ns,
                                      Machine::kTraits.ram_on_demand, guest_timer_compare()});
    if (!board) return fail(err, VmStep::kBoard, board.error());
    m_board = *board;
    for (virtio::VirtioDevice* device : config.virtio)
      if (auto r = m_board->plug_virtio(*device); !r) return fail(err, VmStep::kVirtio, r.error());
    if (config.cpus == 0 || config.cpus > kMaxCpus)
      return fail(err, VmStep::kVcpuCount, Status::kInvalidArgument);
    if (!config.dtb.empty() && !fdt::Fdt::open(config.dtb))
      return fail(err, VmStep::kDtb, Status::kBadImage);
    m_user_dtb = config.dtb;
    m_bootargs = config.bootargs;
    const BoardLayout layout = m_board->layout();
    if (config.ram_size == 0 || config.ram_size % kPageSize4K != 0 ||
        config.ram_size > layout.max_ram)
      return fail(err, VmStep::kRamSize, Status::kOutOfRange);
    Stage2Config stage2 = layout.stage2;
    if (config.vmid != 0) stage2.vmid = config.vmid;
    auto space = AddressSpace::create(m_frames, stage2);
    if (!space) return fail(err, VmStep::kStage2, space.error());
    m_space.emplace(std::move(*space));
    auto ram = Machine::kTraits.ram_on_demand
                   ? m_space->add_ram_on_demand(layout.ram_base, config.ram_size)
                   : m_space->add_ram_alloc(layout.ram_base, config.ram_size);
    if (!ram) return fail(err, VmStep::kRam, ram.error());
    m_exits.set_policy(config.unknown_access);
    IrqChip* chip = m_board->create_irq_chip(config.cpus, m_clock, Machine::kTraits.hardware_timer);
    auto machine =
        Machine::create(MachineSetup{m_arch, config.cpus, *m_space, m_exits, chip, m_clock});
    if (!machine) return fail(err, VmStep::kMachine, machine.error());
    m_machine.emplace(std::move(*machine));
    IrqController* external = m_machine->irq_controller();
    if (auto r = m_board->attach(*m_space, m_bus, external); !r)
      return fail(err, VmStep::kDevices, r.error());
    if (!config.firmware.empty()) {
      auto fw = m_board->load_firmware(*m_space, m_bus, config.firmware);
      if (!fw) return fail(err, VmStep::kFirmware, fw.error());
      m_firmware.emplace(*fw);
    }
    m_exits.set_irq_chip(external == nullptr ? chip : nullptr);
    m_exits.set_board(m_board);
    m_exits.set_cpu_control(this);
    m_exits.set_access_hook(
        [](void* vm) {
          auto& self = *static_cast<Vm*>(vm);
          // A HAL that polls its console looks on device accesses too: a guest spinning on
          // its UART's status register never lets the VM idle.
          H::poll_input();
          if (!self.m_input.empty()) self.m_board->feed_console(self.m_input);
        },
        this);
    for (unsigned i = 0; i < config.cpus; i++) {
      auto vcpu = m_machine->create_vcpu(i);
      if (!vcpu) return fail(err, VmStep::kVcpu, vcpu.error());
      m_vcpus[i].emplace(std::move(*vcpu));
    }
    m_cpu_count = config.cpus;
    // An in-kernel irqchip starts secondary vCPUs itself (x86 INIT/SIPI): they run from the
    // start and wait in the kernel.
    if (external != nullptr)
      for (unsigned i = 1; i < config.cpus; i++) m_power[i] = CpuPowerState::kOn;
    m_ram_base = layout.ram_base;
    m_ram_size = config.ram_size;
    return ok();
  }

  // Boots what QEMU's -kernel, -initrd and -append would (or the firmware VmConfig::firmware
  // named, which takes no kernel): the kernel's format is detected from its bytes
  // (core/loader/kernel_image.h). An ELF, an arm64 / RISC-V Image or a raw binary go where the
  // board says, the initrd beside them in /chosen; a bzImage and a multiboot image take their
  // x86 boot protocols. `err` names the step and what is wrong with the file or its placement.
  [[nodiscard]] Result<void> boot(const BootFiles& files, VmError& err) {
    if (m_firmware) {
      if (!files.kernel.empty() || !files.initrd.empty())
        return fail(err, VmStep::kFirmware, Status::kInvalidArgument);
      return start_with_dtb(*m_firmware, false, err);
    }
    auto image = parse_kernel(files.kernel, m_arch, &err.image);
    if (!image) return fail(err, VmStep::kImage, image.error());
    if (image->format == KernelFormat::kBzImage)
      return load_linux(LinuxImage{files.kernel, files.initrd, files.cmdline}, err);
    if (!files.initrd.empty() && image->format == KernelFormat::kMultiboot)
      return fail(err, VmStep::kInitrd, Status::kUnsupported);
    if (image->format == KernelFormat::kMultiboot)
      return load_multiboot(files.kernel, files.cmdline, err);
    if (!files.initrd.empty() && !m_board->has_device_tree())
      return fail(err, VmStep::kInitrd, Status::kUnsupported);
    auto kernel = load_dt_kernel(*m_space, RamRange{m_ram_base, m_ram_size}, m_board->kernel_base(),
                                 *image, files, kDtbReserve, &err.placement);
    if (!kernel) {
      const bool initrd = err.placement == PlacementError::kInitrdTooBig;
      return fail(err, initrd ? VmStep::kInitrd : VmStep::kImage, kernel.error());
    }
    m_initrd = kernel->initrd;
    // The device tree must not land on the initrd either.
    LoadedGuest guest = kernel->guest;
    if (m_initrd.end.raw() > guest.image_end) guest.image_end = m_initrd.end.raw();
    return start_with_dtb(guest, true, err);
  }

  // Loads a multiboot v1 image (x86_64 VMs; only backends that can enter 32-bit protected mode
  // accept the boot state, kUnsupported otherwise).
  [[nodiscard]] Result<void> load_multiboot(std::span<const uint8_t> image,
                                            std::span<const char> cmdline, VmError& err) {
    if (m_arch != Arch::kX86_64) return fail(err, VmStep::kImage, Status::kUnsupported);
    return start(load_multiboot_guest(*m_space, image, cmdline), VmStep::kMultiboot, err);
  }

  // Loads a Linux bzImage, its initrd and command line (x86_64 VMs whose backend has the PC's
  // interrupt controllers: the board's ACPI tables describe them).
  [[nodiscard]] Result<void> load_linux(const LinuxImage& image, VmError& err) {
    if (m_arch != Arch::kX86_64) return fail(err, VmStep::kLinux, Status::kUnsupported);
    return start(load_linux_guest(*m_space, image, m_cpu_count, m_board->virtio_transports()),
                 VmStep::kLinux, err);
  }

  // Runs the vCPUs round-robin on this thread until the guest stops or request_stop() is
  // called. A vCPU that halted runs again once its interrupt inputs are asserted; while no vCPU
  // can run, the thread sleeps in H::idle_until() until the next timer deadline or input.
  const StopInfo& run() {
    while (!stop_now()) {
      if (m_paused.load()) {
        H::idle_until(kNoDeadline);
        continue;
      }
      service_locked();
      bool ran = false;
      for (unsigned i = 0; i < m_cpu_count && !stop_now(); i++) {
        if (!runnable(i)) continue;
        ran = true;
        run_once(i);
      }
      if (ran || stop_now()) continue;
      // The vCPUs may have armed a timer or taken input in their last slice: look again.
      const uint64_t next = service_locked();
      if (any_runnable()) continue;
      if (next == kNoDeadline && !m_input_open.load() && m_input.empty()) {
        m_exits.stop_info().set_fault(
            StopKind::kFault,
            "every vCPU is halted (WFI/HLT) or off, and no timer or input can wake them; "
            "stopping");
        break;
      }
      H::idle_until(next == kNoDeadline ? kNoDeadline : m_clock.host_ns(next));
    }
    return finish();
  }

  // For backends with a thread per vCPU (MachineTraits::thread_per_vcpu): runs vCPU `i` on the
  // calling thread until the VM stops. Call set_threaded() first: exits are then handled
  // under the VM's lock.
  void set_threaded() { m_exits.set_threaded(true); }
  void run_cpu(unsigned i) {
    while (!stop_now()) {
      if (m_power[i] == CpuPowerState::kOff || m_paused.load()) {
        H::idle_until(m_clock.host_now_ns() + kOffPollNs);
        continue;
      }
      run_once(i);
    }
    H::wake();  // service() may be waiting for input that no longer matters
  }

  // The VM's own work while run_cpu() threads run the vCPUs: console input, timers. Returns
  // when the VM stops; call finish() after joining the vCPU threads.
  void service() {
    while (!stop_now()) {
      if (m_paused.load()) {  // guest time stands still: nothing falls due until resume()
        H::idle_until(kNoDeadline);
        continue;
      }
      const uint64_t deadline = service_locked();
      H::idle_until(deadline == kNoDeadline ? kNoDeadline : m_clock.host_ns(deadline));
    }
  }

  // How the VM stopped (after run(), or after run_cpu() and service() have returned).
  const StopInfo& finish() {
    if (m_stop_requested.load() && !m_exits.stopped())
      m_exits.stop_info().set_fault(StopKind::kTimeout, "stopped by the host (time limit)");
    return m_exits.stop_info();
  }

  // Thread-safe: makes run() return soon.
  void request_stop() {
    m_stop_requested.store(true);
    for (unsigned i = 0; i < m_cpu_count; i++) m_vcpus[i]->request_stop();
    H::wake();
  }

  // Thread-safe (one controller at a time): pause() ends the vCPUs' slices and keeps them from
  // running (the run loop sleeps, burning no CPU) until resume(). Guest time stands still
  // meanwhile (GuestClock::paused_ns): after resume() the guest's counters go on from where
  // they stopped and its timers fire when their own time comes, not at once.
  void pause() {
    if (m_paused.exchange(true)) return;
    m_paused_time.since_ns.store(H::now_ns() | 1, std::memory_order_release);  // never 0
    for (unsigned i = 0; i < m_cpu_count; i++) m_vcpus[i]->request_stop();
  }
  void resume() {
    if (!m_paused.load()) return;
    const uint64_t since = m_paused_time.since_ns.load();
    const uint64_t now = H::now_ns();
    m_paused_time.total_ns.fetch_add(now > since ? now - since : 0, std::memory_order_release);
    m_paused_time.since_ns.store(0, std::memory_order_release);
    m_paused.store(false);
    H::wake();
  }
  // Guest time now (nanoseconds since the VM was created, paused time excluded).
  uint64_t guest_now_ns() const { return m_clock.now_ns(); }
  bool paused() const { return m_paused.load(); }

  // Console input: the host's reader thread pushes bytes, then calls notify_input(); the VM
  // moves them into the console UART as it has room. set_input_open(false) once the host's
  // input has ended, so a guest that waits only for input is known to be stuck.
  InputQueue& console_input() { return m_input; }
  // Deterministic runs: console input reaches console_input() only through `pump`
  // (core/vm/input_pump.h); null: the host's reader pushes it directly.
  void set_input_pump(InputPump* pump) { m_input_pump = pump; }
  void notify_input() { H::wake(); }
  void set_input_open(bool open) {
    m_input_open.store(open);
    H::wake();
  }

  // The device tree the guest gets: the one VmConfig::dtb named, else the board's for this
  // VM's RAM, vCPUs and command line (after setup()). kUnsupported on a board without one.
  [[nodiscard]] Result<std::span<const uint8_t>> device_tree() {
    if (!m_user_dtb.empty()) return m_user_dtb;
    DtbOptions opts;
    opts.ram_size = m_ram_size;
    opts.cpus = m_cpu_count;
    opts.bootargs = m_bootargs;
    opts.initrd_start = m_initrd.start.raw();
    opts.initrd_end = m_initrd.end.raw();
    const size_t size = TRY(m_board->write_dtb(m_dtb, opts));
    return std::span<const uint8_t>(m_dtb, size);
  }

  Board& board() { return *m_board; }
  VmExits& exits() { return m_exits; }
  AddressSpace& address_space() { return *m_space; }
  Vcpu& vcpu(unsigned i) { return *m_vcpus[i]; }
  unsigned cpu_count() const override { return m_cpu_count; }
  CpuPowerState cpu_state(uint64_t target) const override {
    return target < m_cpu_count ? m_power[target].load() : CpuPowerState::kOff;
  }

 private:
  static constexpr uint64_t kOffPollNs = 1'000'000;
  // Left free at the top of RAM by the initrd: the 2 MiB-aligned slot a DTB goes to there.
  static constexpr uint64_t kDtbReserve = 2ull << 20;

  // Keeps what a loader said about the file (err.image, err.placement).
  static Result<void> fail(VmError& err, VmStep step, Status status) {
    err.step = step;
    err.status = status;
    return Error(status);
  }
  bool stop_now() const { return m_exits.stopped() || m_stop_requested.load(); }

  // Puts the device tree (if the board has one) where the board says beside `guest`, sets the
  // boot arguments (`boot_args`: the board's convention; firmware starts with zeros) and
  // points the boot vCPU at it.
  Result<void> start_with_dtb(LoadedGuest guest, bool boot_args, VmError& err) {
    Gpa dtb_at{0};
    if (auto dtb = device_tree(); dtb) {
      auto at = place_device_tree(*m_board, *m_space, guest, *dtb, m_ram_size);
      if (!at) return fail(err, VmStep::kDtb, at.error());
      dtb_at = *at;
    } else if (dtb.error() != Status::kUnsupported) {
      return fail(err, VmStep::kDtb, dtb.error());
    }
    if (boot_args) {
      if (auto r = m_board->prepare_boot(*m_space, guest, dtb_at); !r)
        return fail(err, VmStep::kImage, r.error());
    }
    return start(guest, VmStep::kImage, err);
  }

  // Points the boot vCPU at a loaded guest (`step` names the loader when it failed).
  Result<void> start(const Result<LoadedGuest>& guest, VmStep step, VmError& err) {
    if (!guest) return fail(err, step, guest.error());
    if (auto r = m_vcpus[0]->set_boot_state(guest->boot); !r)
      return fail(err, VmStep::kBootState, r.error());
    m_power[0] = CpuPowerState::kOn;
    TLOG_DEBUG("guest image at %#llx..%#llx, entry %#llx",
               static_cast<unsigned long long>(guest->image_start),
               static_cast<unsigned long long>(guest->image_end),
               static_cast<unsigned long long>(guest->boot.pc));
    return ok();
  }

  bool runnable(unsigned i) {
    if (m_power[i] == CpuPowerState::kOff) return false;
    if (!m_halted[i]) return true;
    IrqChip* chip = m_exits.irq_chip();
    return chip != nullptr && chip->wake_lines(i) != 0;
  }

  bool any_runnable() {
    for (unsigned i = 0; i < m_cpu_count; i++)
      if (runnable(i)) return true;
    return false;
  }

  // Console input and timers; the next timer deadline (GuestClock ns) or kNoDeadline.
  uint64_t service_locked() {
    VmExits::Guard guard(m_exits);
    if (m_input_pump != nullptr) m_input_pump->pump();
    m_board->feed_console(m_input);
    m_board->poll_virtio();
    IrqChip* chip = m_exits.irq_chip();
    return chip != nullptr ? chip->advance(m_clock.now_ns()) : kNoDeadline;
  }

  void run_once(unsigned i) {
    m_halted[i] = false;
    if (m_power[i] == CpuPowerState::kStarting) {
      if (auto r = m_vcpus[i]->set_boot_state(m_boot[i]); !r) {
        TLOG_WARN(
            "vCPU %u cannot start at %#llx (%s): this backend cannot restart a vCPU "
            "that has run before; it stays off",
            i, static_cast<unsigned long long>(m_boot[i].pc), to_string(r.error()));
        m_power[i] = CpuPowerState::kOff;
        return;
      }
      m_power[i] = CpuPowerState::kOn;
    }
    auto exit = m_vcpus[i]->run();
    StopInfo& stop = m_exits.stop_info();
    if (!exit) {
      stop.set_fault(StopKind::kError, "vCPU %u: backend error: %s", i, to_string(exit.error()));
      return;
    }
    switch (exit->kind) {
      case ExitKind::kHalt:
        m_exits.count(ExitKind::kHalt);
        m_halted[i] = true;
        return;
      case ExitKind::kTimeout:
      case ExitKind::kExternalInterrupt: return;
      default: break;
    }
    m_exits.handle(i, *exit);
  }

  // Whether this host's harts give the guest a timer compare of its own (a Machine that can
  // says so at run time: the CPU may lack it).
  static bool guest_timer_compare() {
    if constexpr (requires { Machine::guest_timer_compare(); }) {
      return Machine::guest_timer_compare();
    } else {
      return false;
    }
  }

  // CpuControl, for PSCI CPU_ON / SBI HSM (called from vCPU `caller`'s exit handling).
  CpuOnResult cpu_on(unsigned caller, uint64_t target, uint64_t entry, uint64_t context) override {
    // The entry is checked before the target's state, as OpenSBI does (QEMU's PSCI does not
    // check it at all; a start outside RAM could only fault).
    const auto refuse = [&](CpuOnResult result, const char* why) {
      TLOG_INFO("vCPU %u: start of vCPU %llu at %#llx refused: %s", caller,
                static_cast<unsigned long long>(target), static_cast<unsigned long long>(entry),
                why);
      return result;
    };
    if (target >= m_cpu_count) return refuse(CpuOnResult::kNoSuchCpu, "no such vCPU (--cpus)");
    if (entry < m_ram_base.raw() || entry - m_ram_base.raw() >= m_ram_size)
      return refuse(CpuOnResult::kBadEntry, "the entry is not in guest RAM");
    if (m_power[target] != CpuPowerState::kOff)
      return refuse(CpuOnResult::kAlreadyOn, "it is already on or starting");
    const BootState boot = m_board->secondary_boot(target, entry, context);
    // The vCPU takes its boot state on its own thread, before it first runs: a backend may not
    // touch another vCPU's engine from inside this one's exit (Unicorn's riscv64 entry runs the
    // target's engine).
    m_boot[target] = boot;
    TLOG_INFO("vCPU %u starts vCPU %llu at %#llx", caller, static_cast<unsigned long long>(target),
              static_cast<unsigned long long>(entry));
    m_halted[target] = false;
    m_power[target] = CpuPowerState::kStarting;
    H::wake();
    return CpuOnResult::kOk;
  }

  void cpu_off(unsigned caller) override {
    if (caller >= m_cpu_count) return;
    m_power[caller] = CpuPowerState::kOff;
    m_vcpus[caller]->request_stop();
  }

  PagingHandlerAdapter<typename H::PagingHandler> m_frames;
  DeviceBus m_bus;
  VmExits m_exits;
  CharSink& m_console;
  BoardSlot m_boards;
  Board* m_board = nullptr;
  Arch m_arch;
  GuestClock m_clock;
  std::optional<AddressSpace> m_space;
  std::optional<Machine> m_machine;
  std::optional<Vcpu> m_vcpus[kMaxCpus];
  std::atomic<CpuPowerState> m_power[kMaxCpus] = {};
  bool m_halted[kMaxCpus] = {};
  BootState m_boot[kMaxCpus];
  unsigned m_cpu_count = 0;
  Gpa m_ram_base{0};
  uint64_t m_ram_size = 0;
  std::span<const char> m_bootargs;
  std::span<const uint8_t> m_user_dtb;
  std::optional<LoadedGuest> m_firmware;
  InitrdPlacement m_initrd{Gpa(0), Gpa(0)};
  uint8_t m_dtb[kMaxDtbSize] = {};
  InputQueue m_input;
  InputPump* m_input_pump = nullptr;
  std::atomic<bool> m_input_open{false};
  std::atomic<bool> m_stop_requested{false};
  std::atomic<bool> m_paused{false};
  PausedTime m_paused_time;  // what guest time (m_clock) leaves out
};

}  // namespace tandem

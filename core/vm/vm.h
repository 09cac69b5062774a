// SPDX-License-Identifier: Apache-2.0
// Vm<H>: the one template at the top (Axvisor's axvm). It owns the guest address space, the
// device bus with the platform's devices, the exit handler and the backend's machine and vCPUs,
// and runs the vCPUs until the guest stops. Everything below it is plain code; H (a Hal
// bundle) only supplies the PagingHandler and the Machine.
#pragma once

#include <atomic>
#include <optional>
#include <span>

#include "core/base/log.h"
#include "core/bus/device_bus.h"
#include "core/hal.h"
#include "core/mm/address_space.h"
#include "core/vm/boot.h"
#include "core/vm/platform.h"
#include "core/vm/vm_exits.h"

namespace tandem {

struct VmConfig {
  Arch arch = Arch::kAarch64;
  uint64_t ram_size = 128ull << 20;
  unsigned cpus = 1;
  UnknownAccessPolicy unknown_access = UnknownAccessPolicy::kStop;
};

// Which step of setup or load failed; with the status, enough for a one-line message and a
// hint the program chooses (the CLI and the bare-metal image word theirs differently).
enum class VmStep : unsigned char {
  kNone,
  kVcpuCount,
  kRamSize,
  kStage2,
  kRam,
  kDevices,
  kMachine,
  kVcpu,
  kImage,
  kMultiboot,
  kBootState,
};

constexpr const char* to_string(VmStep step) {
  switch (step) {
    case VmStep::kNone: return "none";
    case VmStep::kVcpuCount: return "vcpu count";
    case VmStep::kRamSize: return "guest RAM size";
    case VmStep::kStage2: return "stage-2 table";
    case VmStep::kRam: return "guest RAM";
    case VmStep::kDevices: return "devices";
    case VmStep::kMachine: return "backend machine";
    case VmStep::kVcpu: return "vcpu";
    case VmStep::kImage: return "guest image";
    case VmStep::kMultiboot: return "multiboot image";
    case VmStep::kBootState: return "boot state";
  }
  return "unknown";
}

struct VmError {
  VmStep step = VmStep::kNone;
  Status status = Status::kOk;
};

template <Hal H>
class Vm {
 public:
  using Machine = typename H::Machine;
  using Vcpu = typename Machine::Vcpu;
  static constexpr unsigned kMaxCpus = 8;

  Vm(typename H::PagingHandler& paging, CharSink& console, Arch arch)
      : m_frames(paging),
        m_exits(arch, m_bus, &console),
        m_platform(arch, m_exits.stop_info(), console, &H::now_ns),
        m_arch(arch) {}
  Vm(const Vm&) = delete;
  Vm& operator=(const Vm&) = delete;

  // Builds guest RAM, the devices, the backend machine and its vCPUs.
  [[nodiscard]] Result<void> setup(const VmConfig& config, VmError& err) {
    if (config.cpus == 0 || config.cpus > kMaxCpus)
      return fail(err, VmStep::kVcpuCount, Status::kInvalidArgument);
    const PlatformLayout layout = Platform::layout(m_arch);
    if (config.ram_size == 0 || config.ram_size % kPageSize4K != 0 ||
        config.ram_size > layout.max_ram)
      return fail(err, VmStep::kRamSize, Status::kOutOfRange);
    auto space = AddressSpace::create(m_frames, layout.stage2);
    if (!space) return fail(err, VmStep::kStage2, space.error());
    m_space.emplace(std::move(*space));
    if (auto r = m_space->add_ram_alloc(layout.ram_base, config.ram_size); !r)
      return fail(err, VmStep::kRam, r.error());
    if (auto r = m_platform.attach(*m_space, m_bus); !r)
      return fail(err, VmStep::kDevices, r.error());
    m_exits.set_policy(config.unknown_access);
    auto machine = Machine::create(MachineSetup{m_arch, config.cpus, *m_space, m_exits});
    if (!machine) return fail(err, VmStep::kMachine, machine.error());
    m_machine.emplace(std::move(*machine));
    for (unsigned i = 0; i < config.cpus; i++) {
      auto vcpu = m_machine->create_vcpu(i);
      if (!vcpu) return fail(err, VmStep::kVcpu, vcpu.error());
      m_vcpus[i].emplace(std::move(*vcpu));
    }
    m_cpu_count = config.cpus;
    return ok();
  }

  // Loads a guest ELF into RAM and points the boot vCPU at it.
  [[nodiscard]] Result<void> load(std::span<const uint8_t> elf, VmError& err) {
    auto guest = load_guest(m_arch, *m_space, elf);
    if (!guest) return fail(err, VmStep::kImage, guest.error());
    if (auto r = m_vcpus[0]->set_boot_state(guest->boot); !r)
      return fail(err, VmStep::kBootState, r.error());
    TLOG_DEBUG("guest image at %#llx..%#llx, entry %#llx",
               static_cast<unsigned long long>(guest->image_start),
               static_cast<unsigned long long>(guest->image_end),
               static_cast<unsigned long long>(guest->boot.pc));
    return ok();
  }

  // Loads a multiboot v1 image (x86_64 VMs; only backends that can enter 32-bit protected mode
  // accept the boot state, kUnsupported otherwise).
  [[nodiscard]] Result<void> load_multiboot(std::span<const uint8_t> image,
                                            std::span<const char> cmdline, VmError& err) {
    if (m_arch != Arch::kX86_64) return fail(err, VmStep::kImage, Status::kUnsupported);
    auto guest = load_multiboot_guest(*m_space, image, cmdline);
    if (!guest) return fail(err, VmStep::kMultiboot, guest.error());
    if (auto r = m_vcpus[0]->set_boot_state(guest->boot); !r)
      return fail(err, VmStep::kBootState, r.error());
    return ok();
  }

  // Runs the vCPUs round-robin until the guest stops or request_stop() is called.
  const StopInfo& run() {
    StopInfo& stop = m_exits.stop_info();
    while (!stop_now()) {
      unsigned halted = 0;
      for (unsigned i = 0; i < m_cpu_count && !stop_now(); i++) {
        auto exit = m_vcpus[i]->run();
        if (!exit) {
          stop.set_fault(StopKind::kError, "vCPU %u: backend error: %s", i,
                         to_string(exit.error()));
          break;
        }
        if (exit->kind == ExitKind::kHalt) {
          if (!m_exits.wake_source_armed()) halted++;
          continue;
        }
        if (exit->kind == ExitKind::kTimeout || exit->kind == ExitKind::kExternalInterrupt)
          continue;
        m_exits.handle(*exit);
      }
      // No interrupt source exists yet, so a vCPU that halts can never be woken: with every
      // vCPU halted the guest is stuck for good.
      if (halted == m_cpu_count && !stop_now()) {
        stop.set_fault(StopKind::kFault,
                       "every vCPU halted (WFI/HLT) and no interrupt can wake them; stopping");
      }
    }
    if (m_stop_requested.load() && !m_exits.stopped())
      stop.set_fault(StopKind::kTimeout, "stopped by the host (time limit)");
    return stop;
  }

  // Thread-safe: makes run() return soon.
  void request_stop() {
    m_stop_requested.store(true);
    for (unsigned i = 0; i < m_cpu_count; i++) m_vcpus[i]->request_stop();
  }

  VmExits& exits() { return m_exits; }
  AddressSpace& address_space() { return *m_space; }
  Vcpu& vcpu(unsigned i) { return *m_vcpus[i]; }

 private:
  static Result<void> fail(VmError& err, VmStep step, Status status) {
    err = {step, status};
    return Error(status);
  }
  bool stop_now() const { return m_exits.stopped() || m_stop_requested.load(); }

  PagingHandlerAdapter<typename H::PagingHandler> m_frames;
  DeviceBus m_bus;
  VmExits m_exits;
  Platform m_platform;
  Arch m_arch;
  std::optional<AddressSpace> m_space;
  std::optional<Machine> m_machine;
  std::optional<Vcpu> m_vcpus[kMaxCpus];
  unsigned m_cpu_count = 0;
  std::atomic<bool> m_stop_requested{false};
};

}  // namespace tandem

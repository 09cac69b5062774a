// SPDX-License-Identifier: Apache-2.0
// The emu backend's Machine and HAL bundle. Unicorn has no VM-wide object: each vCPU is its own
// engine mapping the same host RAM, so the machine only remembers the setup and which vCPUs
// exist (for broadcast TLB and cache maintenance, emu_coherence.h).
#pragma once

#include <memory>

#include "backends/emu/emu_coherence.h"
#include "backends/emu/emu_icount.h"
#include "backends/emu/emu_vcpu.h"
#include "backends/hosted/host_idle.h"
#include "backends/hosted/host_paging.h"
#include "core/hal.h"

namespace tandem {

class EmuMachine {
 public:
  using Vcpu = EmuVcpu;
  // The vCPUs run round-robin on one thread (Unicorn engines are not safe in parallel).
  static constexpr MachineTraits kTraits{.thread_per_vcpu = false,
                                         .hardware_timer = false,
                                         .per_cpu_setup = false,
                                         .ram_on_demand = false};

  [[nodiscard]] static Result<EmuMachine> create(const MachineSetup& setup) {
    return EmuMachine(setup);
  }
  [[nodiscard]] Result<EmuVcpu> create_vcpu(unsigned id) {
    return EmuVcpu::create(
        VcpuSetup{m_arch, id, *m_space, *m_exits, m_cpu_count, m_irq_chip, m_clock}, m_peers);
  }
  IrqController* irq_controller() { return nullptr; }

 private:
  explicit EmuMachine(const MachineSetup& s)
      : m_arch(s.arch),
        m_space(&s.address_space),
        m_exits(&s.exits),
        m_cpu_count(s.cpu_count),
        m_irq_chip(s.irq_chip),
        m_clock(s.clock),
        m_peers(std::make_shared<emu::EmuPeers>(s.cpu_count)) {}

  Arch m_arch;
  AddressSpace* m_space;
  VmExits* m_exits;
  unsigned m_cpu_count;
  IrqChip* m_irq_chip;
  GuestClock m_clock;
  std::shared_ptr<emu::EmuPeers> m_peers;  // so one vCPU's broadcast maintenance reaches all
};

struct EmuHal {
  using PagingHandler = hosted::HostPagingHandler;
  using Machine = EmuMachine;
  // --icount: guest time is the instruction count (emu_icount.h).
  static uint64_t now_ns() {
    return emu::icount_enabled() ? emu::icount_now_ns() : hosted::now_ns();
  }
  static void idle_until(uint64_t deadline_ns) {
    if (emu::icount_enabled()) return emu::icount_idle_until(deadline_ns);
    hosted::idle_until(deadline_ns);
  }
  static void wake() { hosted::wake(); }
  static void poll_input() {}  // input comes from the reader thread
};

static_assert(Hal<EmuHal>);

}  // namespace tandem

// SPDX-License-Identifier: Apache-2.0
// The vCPU seam (Axvisor's axvcpu): what Vm<H> asks of H::Vcpu. Each backend's vCPU is checked
// with static_assert(Vcpu<...>) next to its definition.
#pragma once

#include <concepts>
#include <cstdint>

#include "core/base/arch.h"
#include "core/base/result.h"
#include "core/irq/irq_chip.h"
#include "core/mm/frame_allocator.h"
#include "core/vcpu/boot_state.h"
#include "core/vcpu/exit.h"

namespace tandem {

class AddressSpace;
class VmExits;

struct VcpuSetup {
  Arch arch;
  unsigned cpu_id;
  AddressSpace& address_space;  // RAM and MMIO regions to map; stage-2 root
  VmExits& exits;               // where device accesses and hypercalls go
  unsigned cpu_count = 1;
  // The VM's interrupt controller model (null: none, or the backend's own irqchip serves the
  // guest). A backend that delivers interrupts itself asserts cpu_lines(cpu_id) on the vCPU
  // and makes run() return by the chip's next deadline (GuestClock time).
  IrqChip* irq_chip = nullptr;
  GuestClock clock{};
};

// A backend's VM-wide object (Axvisor's per-VM arch state): for KVM the VM file descriptor and
// memory slots, for Unicorn the shared setup of its engines. Vm<H> creates one H::Machine and
// asks it for vCPUs.
struct MachineSetup {
  Arch arch;
  unsigned cpu_count;
  AddressSpace& address_space;
  VmExits& exits;
  IrqChip* irq_chip = nullptr;  // as VcpuSetup::irq_chip
  GuestClock clock{};
};

// run() returns when the vCPU needs the VM: a halt, a stop the exit handler requested
// (exits.stopped()), a fault, or the end of a time slice. Exits a backend finishes itself
// (MMIO inside a Unicorn callback) never come back from run().
//
// A Machine may also offer `IrqController* irq_controller()`: an interrupt controller of its
// own (KVM's in-kernel irqchip) that the platform's devices are then wired to instead of the
// VM's models; `static constexpr bool kThreadPerVcpu`: the vCPUs must each run on a thread of
// their own (Vm<H>::run_cpu), because run() may block in the backend until an interrupt; and
// `static constexpr bool kHardwareTimer`: the guest uses the CPU's own timer (bare metal), so
// the interrupt model must not own the timer registers.
template <class V>
concept Vcpu = std::movable<V> && requires(V& v, const BootState& boot) {
  { v.set_boot_state(boot) } -> std::same_as<Result<void>>;
  { v.run() } -> std::same_as<Result<VcpuExit>>;
  { v.request_stop() } -> std::same_as<void>;  // thread-safe: makes run() return kTimeout
};

template <class M>
concept Machine = std::movable<M> && Vcpu<typename M::Vcpu> &&
    requires(M& m, const MachineSetup& setup, unsigned id) {
  { M::create(setup) } -> std::same_as<Result<M>>;
  { m.create_vcpu(id) } -> std::same_as<Result<typename M::Vcpu>>;
};

}  // namespace tandem

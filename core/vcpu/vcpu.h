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

// What a backend can do. Every Machine declares all of it as `static constexpr MachineTraits
// kTraits` (designated initialisers name each field), checked by the Machine concept, so a
// misspelt capability is a compile error rather than a feature silently off.
struct MachineTraits {
  // run() may block in the backend until an interrupt (KVM's in-kernel HLT): each vCPU needs a
  // thread of its own (Vm<H>::run_cpu).
  bool thread_per_vcpu;
  // The guest uses the CPU's own timer (bare metal): the interrupt model must not own the
  // timer registers.
  bool hardware_timer;
  // One physical CPU per vCPU, each set up by `static void init_cpu(unsigned index,
  // AddressSpace&)` before it runs its vCPU (bare-metal SMP).
  bool per_cpu_setup;
  // Guest RAM may be backed as the guest first touches it (AddressSpace::add_ram_on_demand: the
  // backend maps a block on its stage-2 fault), rather than allocated and zeroed up front. Bare
  // metal: zeroing all of a 512 MiB guest's RAM at start-up cost seconds under QEMU TCG.
  bool ram_on_demand;
};
template <class V>
concept Vcpu = std::movable<V> && requires(V& v, const BootState& boot) {
  { v.set_boot_state(boot) } -> std::same_as<Result<void>>;
  { v.run() } -> std::same_as<Result<VcpuExit>>;
  { v.request_stop() } -> std::same_as<void>;  // thread-safe: makes run() return kTimeout
};

// irq_controller(): an interrupt controller of the backend's own (KVM's in-kernel irqchip) that
// the board's devices are wired to instead of the VM's models; null when the backend has none.
template <class M>
concept Machine = std::movable<M> && Vcpu<typename M::Vcpu> &&
    requires(M& m, const MachineSetup& setup, unsigned id) {
  { M::create(setup) } -> std::same_as<Result<M>>;
  { m.create_vcpu(id) } -> std::same_as<Result<typename M::Vcpu>>;
  { m.irq_controller() } -> std::same_as<IrqController*>;
  { M::kTraits } -> std::convertible_to<MachineTraits>;
};

}  // namespace tandem

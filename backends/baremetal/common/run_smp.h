// SPDX-License-Identifier: Apache-2.0
// A VM with one physical CPU per vCPU (`tandem build-image --cpus N`, N > 1): the same
// Vm<H>::run_cpu loop as the kvm backend's vCPU threads, with physical CPUs for threads. Every
// exit and every touch of the interrupt model is handled under VmExits' spin lock
// (set_threaded). CPU i runs vCPU i; a vCPU that is off waits in its CPU's idle (H::idle_until,
// polling at least every ms) until the guest's PSCI CPU_ON / SBI HSM hart_start marks it
// starting; the vCPU then takes its boot state on its own CPU. CPU 0 runs vCPU 0 only once every
// other CPU has set itself up: until then the firmware may drop a kick sent to it (OpenSBI sends
// IPIs only to started harts), and a CPU that never arrives is reported, not waited for forever.
// CPU 0 reports the stop and ends the machine, as with one CPU; a secondary CPU whose loop ends
// kicks CPU 0 and parks.
#pragma once

#include "backends/baremetal/common/arch.h"
#include "backends/baremetal/common/panic.h"
#include "backends/baremetal/common/smp.h"
#include "core/vm/vm.h"

namespace tandem::baremetal {

// H::Machine provides `static void init_cpu(unsigned index, AddressSpace&)`: this physical
// CPU's own hypervisor set-up (traps, stage-2 root, interrupt controller interface, timer),
// which Machine::create did for the boot CPU.
template <class H>
const StopInfo& run_smp(Vm<H>& vm, unsigned cpus) {
  // A firmware start takes microseconds. A CPU not up after kRetryNs is started again (a start
  // the firmware lost, seen once with OpenSBI 1.1 under a loaded QEMU; a CPU already on or
  // starting refuses the second call, which is ignored); 10 s covers a host that barely
  // schedules QEMU.
  constexpr uint64_t kRetryNs = 1'000'000'000;
  constexpr uint64_t kArrivalNs = 10'000'000'000;
  static Vm<H>* s_vm = nullptr;
  static uint32_t s_online = 0;  // bit i: physical CPU i is set up
  s_vm = &vm;
  vm.set_threaded();
  set_secondary_main([](unsigned index) {
    H::Machine::init_cpu(index, s_vm->address_space());
    __atomic_fetch_or(&s_online, 1u << index, __ATOMIC_RELEASE);
    s_vm->run_cpu(index);
    arch::kick_cpu(0);
    arch::park();
  });
  for (unsigned i = 1; i < cpus; i++) {
    if (const int64_t err = arch::start_cpu(i); err != 0) {
      panic(
          "the guest was packed for %u CPUs (tandem build-image --cpus %u) but physical CPU %u "
          "did not start (firmware error %lld): this machine has fewer CPUs (QEMU: -smp %u)",
          cpus, cpus, i, static_cast<long long>(err), cpus);
    }
  }
  const uint32_t all = ((1u << cpus) - 1) & ~1u;
  const uint64_t started = arch::now_ns();
  uint64_t retry = started + kRetryNs;
  for (;;) {
    const uint32_t online = __atomic_load_n(&s_online, __ATOMIC_ACQUIRE);
    if (online == all) break;
    const uint64_t now = arch::now_ns();
    if (now > started + kArrivalNs) {
      for (unsigned i = 1; i < cpus; i++) {
        if ((online & (1u << i)) == 0)
          panic("physical CPU %u did not come up within 10 s of its start", i);
      }
    }
    if (now > retry) {
      retry = now + kRetryNs;
      for (unsigned i = 1; i < cpus; i++) {
        if ((online & (1u << i)) == 0) {
          TLOG_WARN("physical CPU %u is not up after 1 s: starting it again", i);
          (void)arch::start_cpu(i);
        }
      }
    }
  }
  vm.run_cpu(0);
  return vm.finish();
}

}  // namespace tandem::baremetal

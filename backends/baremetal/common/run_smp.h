// SPDX-License-Identifier: Apache-2.0
// Physical CPUs partitioned among an image's VMs (Axvisor's static partitioning): VM 0 gets
// physical CPUs 0..cpus0-1, VM 1 the next cpus1, and so on; vCPU j of a VM runs on its j-th
// CPU. Used for several VMs and for one VM with several vCPUs (`tandem build-image --cpus N`);
// one VM with one vCPU runs on the boot CPU alone (run_guest.h). A VM with one vCPU runs
// Vm<H>::run as alone; one with several runs Vm<H>::run_cpu on each of its CPUs, the loop of the
// kvm backend's vCPU threads, with every exit and every touch of its interrupt model under
// VmExits' spin lock (set_threaded). A vCPU that is off waits in its CPU's idle
// (H::idle_until, polling at least every ms) until the guest's PSCI CPU_ON / SBI HSM
// hart_start marks it starting; it then takes its boot state on its own CPU.
//
// The boot CPU starts every other CPU, and no CPU runs a guest before all of them have set
// themselves up: until then the firmware may drop a kick sent to one (OpenSBI sends IPIs only
// to started harts), and a CPU that never arrives is reported, not waited for forever. A VM's
// first CPU reports the VM's stop ("[name] " before it with several VMs), and kicks the VM's
// other CPUs so they leave the guest and park; a VM stops alone, the others run on. The boot
// CPU ends the machine once every VM has stopped, with the first non-zero VM status (in packing
// order), as `tandem run` with several VMs.
#pragma once

#include "backends/baremetal/common/arch.h"
#include "backends/baremetal/common/panic.h"
#include "backends/baremetal/common/payload.h"
#include "backends/baremetal/common/smp.h"
#include "backends/baremetal/common/vm_console.h"
#include "core/base/log.h"
#include "core/vm/vm.h"

namespace tandem::baremetal {

// The report and status for a stopped VM, after a line with its exits by kind (what its
// vCPUs left the guest for: the cost of a run in an image); `tag` ("[name] " with several VMs,
// else "") goes before them.
int finish(const StopInfo& stop, const VmExits& exits, const char* tag);

template <class H>
struct Partition {
  Vm<H>* vm[kPayloadMaxVms] = {};
  PrefixConsole* console[kPayloadMaxVms] = {};  // null: one VM, its console as it is
  const char* tag[kPayloadMaxVms] = {};         // "[name] "; "": one VM
  unsigned first[kPayloadMaxVms] = {};          // its first physical CPU
  unsigned cpus[kPayloadMaxVms] = {};
  int status[kPayloadMaxVms] = {};
  unsigned count = 0;
  unsigned total_cpus = 0;
  uint32_t online = 0;  // bit per physical CPU set up
  uint32_t go = 0;      // 1: every CPU is up, the guests may start
  uint32_t done = 0;    // bit per VM stopped

  unsigned vm_of(unsigned cpu) const {
    unsigned k = 0;
    while (k + 1 < count && cpu >= first[k] + cpus[k]) k++;
    return k;
  }
};

// Physical CPU `cpu`'s share: a vCPU of its VM, and for the VM's first CPU the VM's stop.
template <class H>
void run_partition_cpu(Partition<H>& p, unsigned cpu) {
  const unsigned k = p.vm_of(cpu);
  Vm<H>& vm = *p.vm[k];
  const unsigned vcpu = cpu - p.first[k];
  if (vcpu != 0) {
    vm.run_cpu(vcpu);
    arch::kick_cpu(p.first[k]);
    return;
  }
  const StopInfo* stop = nullptr;
  if (p.cpus[k] == 1) {
    stop = &vm.run();
  } else {
    vm.run_cpu(0);
    stop = &vm.finish();
  }
  for (unsigned i = 1; i < p.cpus[k]; i++) arch::kick_cpu(p.first[k] + i);
  if (p.console[k] != nullptr) p.console[k]->flush();
  p.status[k] = finish(*stop, vm.exits(), p.tag[k]);
  __atomic_fetch_or(&p.done, 1u << k, __ATOMIC_RELEASE);
  if (cpu != 0) arch::kick_cpu(0);
}

// Runs the VMs of `p` (set up and booted, `count`, `cpus` and `first` filled in) on their
// physical CPUs; on the boot CPU, returns the machine's exit status once every VM has stopped.
// H::Machine provides `static void init_cpu(unsigned index, AddressSpace&)`: this physical
// CPU's own hypervisor set-up for a VM (traps, stage-2 root, interrupt controller interface,
// timer), which Machine::create did on the boot CPU.
template <class H>
int run_partition(Partition<H>& p) {
  // A firmware start takes microseconds. A CPU not up after kRetryNs is started again (a start
  // the firmware lost, seen once with OpenSBI 1.1 under a loaded QEMU; a CPU already on or
  // starting refuses the second call, which is ignored); 10 s covers a host that barely
  // schedules QEMU.
  constexpr uint64_t kRetryNs = 1'000'000'000;
  constexpr uint64_t kArrivalNs = 10'000'000'000;
  constexpr uint64_t kDoneWaitNs = 1'000'000;
  static Partition<H>* s_part = nullptr;
  s_part = &p;
  for (unsigned k = 0; k < p.count; k++) {
    if (p.cpus[k] > 1) p.vm[k]->set_threaded();
  }
  // Machine::create of each later VM ran on this CPU: VM 0's stage 2 comes back.
  if (p.count > 1) H::Machine::init_cpu(0, p.vm[0]->address_space());
  set_secondary_main([](unsigned index) {
    Partition<H>& part = *s_part;
    H::Machine::init_cpu(index, part.vm[part.vm_of(index)]->address_space());
    __atomic_fetch_or(&part.online, 1u << index, __ATOMIC_RELEASE);
    while (__atomic_load_n(&part.go, __ATOMIC_ACQUIRE) == 0) {
    }
    run_partition_cpu(part, index);
    arch::park();
  });
  for (unsigned i = 1; i < p.total_cpus; i++) {
    if (const int64_t err = arch::start_cpu(i); err != 0) {
      panic(
          "the image's VMs need %u physical CPUs but CPU %u did not start (firmware error %lld): "
          "this machine has fewer CPUs (QEMU: -smp %u)",
          p.total_cpus, i, static_cast<long long>(err), p.total_cpus);
    }
  }
  const uint32_t all = ((1u << p.total_cpus) - 1) & ~1u;
  const uint64_t started = arch::now_ns();
  uint64_t retry = started + kRetryNs;
  for (;;) {
    const uint32_t online = __atomic_load_n(&p.online, __ATOMIC_ACQUIRE);
    if (online == all) break;
    const uint64_t now = arch::now_ns();
    if (now > started + kArrivalNs) {
      for (unsigned i = 1; i < p.total_cpus; i++) {
        if ((online & (1u << i)) == 0)
          panic("physical CPU %u did not come up within 10 s of its start", i);
      }
    }
    if (now > retry) {
      retry = now + kRetryNs;
      for (unsigned i = 1; i < p.total_cpus; i++) {
        if ((online & (1u << i)) == 0) {
          TLOG_WARN("physical CPU %u is not up after 1 s: starting it again", i);
          (void)arch::start_cpu(i);
        }
      }
    }
  }
  __atomic_store_n(&p.go, 1, __ATOMIC_RELEASE);
  run_partition_cpu(p, 0);
  const uint32_t every_vm = (1u << p.count) - 1;
  while (__atomic_load_n(&p.done, __ATOMIC_ACQUIRE) != every_vm) {
    H::idle_until(H::now_ns() + kDoneWaitNs);
  }
  for (unsigned k = 0; k < p.count; k++) {
    if (p.status[k] != 0) return p.status[k];
  }
  return 0;
}

}  // namespace tandem::baremetal

// SPDX-License-Identifier: Apache-2.0
// An image's VMs on the bare-metal HAL: each the same Vm<H> as `tandem run` (core/vm/vm.h),
// with guest RAM from the frame allocator at the board's RAM base (IPA != PA: the hypervisor
// itself lives in the host's RAM there), a stage-2 VMID of its own, the real console behind
// its emulated UART, and its packed pieces booted by Vm::boot as `tandem run` boots them
// (kernel, initrd, firmware, device tree, bootargs) with the virtio devices it was packed with
// (image_virtio.h). One VM with one vCPU runs on the boot
// CPU and gets the console's input; otherwise the physical CPUs are partitioned among the VMs
// (run_smp.h), and with several VMs each console line is prefixed "[name] ". Returns the
// status the machine should exit with: the guest's own, or kExitFault after the fault report
// (with several VMs, the first non-zero status).
#pragma once

#include <cstdint>
#include <new>

#include "backends/baremetal/common/boot.h"
#include "backends/baremetal/common/console.h"
#include "backends/baremetal/common/image_virtio.h"
#include "backends/baremetal/common/panic.h"
#include "backends/baremetal/common/run_smp.h"
#include "backends/baremetal/common/vm_console.h"
#include "core/base/log.h"
#include "core/hal.h"
#include "core/vm/vm.h"

namespace tandem::baremetal {

// What to do about a VM that failed to set up or load, for the panic message.
const char* explain(const VmError& err);

// VM `slot` of the payload, built in place and booted; panics when it cannot start. `tag`:
// "" for an image's only VM, else "[name] " for its messages.
template <class H>
Vm<H>& start_vm(Arch arch, typename H::PagingHandler& frames, const PackedVm& packed, unsigned slot,
                CharSink& console, const char* tag) {
  static_assert(Hal<H>);
  // The VMs (device bus arrays, machine, vCPU contexts) live in .bss rather than on the 64 KiB
  // boot stack. They are built in place and never destroyed: the image exits when they stop,
  // and a static with a destructor would need __cxa_atexit, which the image does not provide.
  alignas(Vm<H>) static uint8_t storage[kPayloadMaxVms][sizeof(Vm<H>)];
  Vm<H>& vm = *new (storage[slot]) Vm<H>(frames, console, arch);

  VmConfig config;
  config.arch = arch;
  config.ram_size = packed.ram_size;
  config.cpus = packed.cpus;
  config.board = packed.board;
  config.bootargs = packed.bootargs();
  config.dtb = packed.pieces[kPieceDtb];
  config.firmware = packed.pieces[kPieceFirmware];
  config.virtio = image_virtio(packed, console, slot);
  config.vmid = static_cast<uint16_t>(slot);
  const BootFiles files{packed.pieces[kPieceKernel], packed.pieces[kPieceInitrd],
                        packed.bootargs()};
  VmError err;
  if (!vm.setup(config, err) || !vm.boot(files, err)) {
    panic("%scannot start the guest: %s: %s. %s", tag, to_string(err.step), to_string(err.status),
          explain(err));
  }
  TLOG_INFO("%sguest: %llu KiB kernel, %llu KiB initrd, %llu KiB firmware, %llu MiB RAM at %#llx",
            tag, static_cast<unsigned long long>(files.kernel.size() >> 10),
            static_cast<unsigned long long>(files.initrd.size() >> 10),
            static_cast<unsigned long long>(config.firmware.size() >> 10),
            static_cast<unsigned long long>(packed.ram_size >> 20),
            static_cast<unsigned long long>(vm.board().layout().ram_base.raw()));
  return vm;
}

// Guest RAM is backed as each guest first touches it (MachineTraits::ram_on_demand), so VMs
// whose RAM together this machine could never back are refused before any runs.
template <class Frames>
void refuse_unbackable_ram(const Frames& frames, const Payload& payload) {
  uint64_t ram = 0;
  for (unsigned k = 0; k < payload.vm_count; k++) ram += payload.vms[k].ram_size;
  const uint64_t free = frames.free_frames_count() * kFrameSize;
  if (ram > free) {
    panic(
        "cannot start the guest: %llu MiB of guest RAM and %llu MiB free on this machine. The "
        "host has too little free RAM for the guest: repack with a smaller --mem",
        static_cast<unsigned long long>(ram >> 20), static_cast<unsigned long long>(free >> 20));
  }
}

template <class H>
int run_vms(Arch arch, typename H::PagingHandler& frames, const Payload& payload) {
  static ConsoleSink console;
  refuse_unbackable_ram(frames, payload);
  if (payload.vm_count == 1 && payload.vms[0].cpus == 1) {
    Vm<H>& vm = start_vm<H>(arch, frames, payload.vms[0], 0, console, "");
    // A HAL that polls the real UART's receive side for the guest gets the VM's input queue;
    // input then stays open for good (a console has no end of input). Not with several CPUs:
    // the idle poll would run on all of them at once (console input is a one-CPU feature).
    H::attach_console_input(vm.console_input());
    vm.set_input_open(true);
    const StopInfo& stop = vm.run();
    return finish(stop, vm.exits(), "");
  }
  static_assert(H::Machine::kTraits.per_cpu_setup, "several CPUs need per-CPU set-up");
  static Partition<H> part;
  static PrefixConsole prefixed[kPayloadMaxVms];
  const bool several = payload.vm_count > 1;
  part.count = payload.vm_count;
  for (unsigned k = 0; k < payload.vm_count; k++) {
    const PackedVm& packed = payload.vms[k];
    prefixed[k].set_name(packed.name);
    part.console[k] = several ? &prefixed[k] : nullptr;
    part.tag[k] = several ? prefixed[k].tag() : "";
    part.first[k] = part.total_cpus;
    part.cpus[k] = packed.cpus;
    part.total_cpus += packed.cpus;
    CharSink& sink = several ? static_cast<CharSink&>(prefixed[k]) : console;
    part.vm[k] = &start_vm<H>(arch, frames, packed, k, sink, part.tag[k]);
    TLOG_INFO("%s%u vCPUs on physical CPUs %u..%u", part.tag[k], packed.cpus, part.first[k],
              part.first[k] + packed.cpus - 1);
  }
  return run_partition(part);
}

}  // namespace tandem::baremetal

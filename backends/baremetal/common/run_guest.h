// SPDX-License-Identifier: Apache-2.0
// One VM on the bare-metal HAL: the same Vm<H> as `tandem run` (core/vm/vm.h), with guest RAM
// from the frame allocator at the board's RAM base (IPA != PA: the hypervisor itself lives in
// the host's RAM there), the real console behind the emulated UART, and the packed pieces
// booted by Vm::boot as `tandem run` boots them (kernel, initrd, firmware, device tree,
// bootargs), with the virtio devices it was packed with (image_virtio.h), run until the VM stops.
// Returns the status the machine should exit with: the guest's own, or kExitFault after printing
// the fault report.
#pragma once

#include <cstdint>
#include <new>

#include "backends/baremetal/common/boot.h"
#include "backends/baremetal/common/console.h"
#include "backends/baremetal/common/image_virtio.h"
#include "backends/baremetal/common/panic.h"
#include "backends/baremetal/common/run_smp.h"
#include "core/base/log.h"
#include "core/hal.h"
#include "core/vm/vm.h"

namespace tandem::baremetal {

// The report and status for a stopped VM.
int finish(const StopInfo& stop);

// What to do about a VM that failed to set up or load, for the panic message.
const char* explain(const VmError& err);

template <class H>
int run_guest(Arch arch, typename H::PagingHandler& frames, const PackedVm& packed) {
  static_assert(Hal<H>);
  // The VM (device bus arrays, machine, vCPU contexts) lives in .bss rather than on the 64 KiB
  // boot stack. It is built in place and never destroyed: the image exits when the VM stops,
  // and a static with a destructor would need __cxa_atexit, which the image does not provide.
  static ConsoleSink console;
  alignas(Vm<H>) static uint8_t storage[sizeof(Vm<H>)];
  Vm<H>& vm = *new (storage) Vm<H>(frames, console, arch);

  VmConfig config;
  config.arch = arch;
  config.ram_size = packed.ram_size;
  config.cpus = packed.cpus;
  config.board = packed.board;
  config.bootargs = packed.bootargs();
  config.dtb = packed.pieces[kPieceDtb];
  config.firmware = packed.pieces[kPieceFirmware];
  config.virtio = image_virtio(packed, console);
  const BootFiles files{packed.pieces[kPieceKernel], packed.pieces[kPieceInitrd],
                        packed.bootargs()};
  VmError err;
  if (!vm.setup(config, err) || !vm.boot(files, err)) {
    panic("cannot start the guest: %s: %s. %s", to_string(err.step), to_string(err.status),
          explain(err));
  }
  // A HAL that polls the real UART's receive side for the guest gets the VM's input queue;
  // input then stays open for good (a console has no end of input). Not with several CPUs:
  // the idle poll would run on all of them at once (console input is a one-CPU feature).
  if (packed.cpus == 1) {
    H::attach_console_input(vm.console_input());
    vm.set_input_open(true);
  }
  TLOG_INFO("guest: %llu KiB kernel, %llu KiB initrd, %llu KiB firmware, %llu MiB RAM at %#llx",
            static_cast<unsigned long long>(files.kernel.size() >> 10),
            static_cast<unsigned long long>(files.initrd.size() >> 10),
            static_cast<unsigned long long>(config.firmware.size() >> 10),
            static_cast<unsigned long long>(packed.ram_size >> 20),
            static_cast<unsigned long long>(vm.board().layout().ram_base.raw()));
  // (Machine::create has refused more than one vCPU on an arch without per-CPU set-up.)
  if constexpr (H::Machine::kTraits.per_cpu_setup) {
    if (packed.cpus > 1) {
      TLOG_INFO("%u vCPUs, one physical CPU each", packed.cpus);
      return finish(run_smp<H>(vm, packed.cpus));
    }
  }
  return finish(vm.run());
}

}  // namespace tandem::baremetal

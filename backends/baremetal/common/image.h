// SPDX-License-Identifier: Apache-2.0
// The life of a bare-metal image after its arch entry: console from the DTB, the packed VMs
// (checked against the physical CPUs the DTB lists), frame allocator, the VMs booted from their
// pieces (run_guest.h), and the machine's exit status = the guests'.
// Each arch's image_main calls start_console(), checks its privilege level, then
// run_image<Hal>().
#pragma once

#include <cstdint>

#include "backends/baremetal/common/arch.h"
#include "backends/baremetal/common/boot.h"
#include "backends/baremetal/common/log_sink.h"
#include "backends/baremetal/common/panic.h"
#include "backends/baremetal/common/run_guest.h"
#include "core/base/arch.h"
#include "core/base/log.h"

namespace tandem::baremetal {

// Finds the DTB and brings up the console it names (or the arch default) and the log sink.
Result<fdt::Fdt> start_console(uint64_t boot_arg);

template <class H>
[[noreturn]] void run_image(Arch arch, const Result<fdt::Fdt>& dtb) {
  if (!dtb) {
    panic("no device tree: none passed by firmware and none at %#llx",
          static_cast<unsigned long long>(arch::default_dtb_address()));
  }
  const char* why = "";
  const auto payload = find_payload(&why);
  if (!payload) {
    if (payload.error() == Status::kNotFound) {
      panic("no guest in this image: pack one with `tandem build-image --arch %s --kernel <file>`",
            to_string(arch));
    }
    panic("the payload area is damaged: %s", why);
  }
  if (payload->vm_count > 1 && arch != Arch::kAarch64) {
    panic("the payload holds %u VMs; the %s image runs one: repack with a single guest",
          payload->vm_count, to_string(arch));
  }
  // One physical CPU per vCPU: a machine with fewer stops here, before any guest runs.
  const unsigned have = dtb_cpu_count(*dtb), need = payload->cpus();
  if (have != 0 && have < need) {
    panic(
        "this image's %u VM%s need%s %u physical CPUs (one per vCPU) but the machine has %u "
        "(QEMU: -smp %u)",
        payload->vm_count, payload->vm_count > 1 ? "s" : "", payload->vm_count > 1 ? "" : "s", need,
        have, need);
  }
  // Static: the allocator outlives everything that holds frames from it.
  static FrameBitmap frames;
  if (auto r = init_frames(*dtb, frames); !r) {
    panic("cannot set up the frame allocator: %s", to_string(r.error()));
  }
  arch::exit_platform(run_vms<H>(arch, frames, *payload));
}

}  // namespace tandem::baremetal

// SPDX-License-Identifier: Apache-2.0
// The life of a bare-metal image after its arch entry: console from the DTB, the packed guest,
// frame allocator, one VM booted from its pieces, and the machine's exit status = the guest's.
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
  if (payload->vm_count > 1) {
    panic("the payload holds %u VMs; this image runs one: repack with a single guest",
          payload->vm_count);
  }
  // Static: the allocator outlives everything that holds frames from it.
  static FrameBitmap frames;
  if (auto r = init_frames(*dtb, frames); !r) {
    panic("cannot set up the frame allocator: %s", to_string(r.error()));
  }
  arch::exit_platform(run_guest<H>(arch, frames, payload->vms[0]));
}

}  // namespace tandem::baremetal

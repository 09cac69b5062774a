// SPDX-License-Identifier: Apache-2.0
// Boot-time discovery shared by every bare-metal image: the DTB (from the boot argument or the
// arch's default location), the console it names, the physical frame allocator over the RAM it
// reports, and the guest packed into the image's payload area (common/payload.h).
#pragma once

#include <cstdint>
#include <span>

#include "backends/baremetal/common/console.h"
#include "backends/baremetal/common/frame_bitmap.h"
#include "backends/baremetal/common/payload_parse.h"
#include "core/fdt/fdt.h"

namespace tandem::baremetal {

// The DTB at `boot_arg`, else at arch::default_dtb_address(); kNotFound when neither holds a
// valid one.
[[nodiscard]] Result<fdt::Fdt> find_dtb(uint64_t boot_arg);

// The UART /chosen stdout-path names when it is a PL011 or a 16550, else the arch default.
UartInfo select_console(const fdt::Fdt* dtb);

// The CPUs the DTB lists (/cpus/cpu@0, cpu@1, ... up to kPayloadMaxCpus); 0 when it lists
// none that way.
unsigned dtb_cpu_count(const fdt::Fdt& dtb);

// The image in memory: from its first byte to the end of the payload it carries.
struct ImageExtent {
  uint64_t start = 0;
  uint64_t end = 0;  // page-aligned
};

// The VMs packed by build_image, as parse_payload() reads the image's payload area.
[[nodiscard]] Result<Payload> find_payload(const char** why);
ImageExtent image_extent();

// Sets up `frames` over the RAM the DTB reports minus the image, the DTB, reserved memory and
// the bitmap itself (placed in the first free RAM above the image).
[[nodiscard]] Result<void> init_frames(const fdt::Fdt& dtb, FrameBitmap& frames);

}  // namespace tandem::baremetal

// SPDX-License-Identifier: Apache-2.0
// Kernels on device-tree boards, as QEMU's -kernel / -initrd load them (hw/arm/boot.c,
// hw/riscv/boot.c): placement in core/loader/boot_layout.h, the copying here.
#include "core/base/log.h"
#include "core/mm/address_space.h"
#include "core/mm/guest_memory.h"
#include "core/vm/boot.h"

namespace tandem {

Result<DtKernel> load_dt_kernel(AddressSpace& space, RamRange ram, Gpa kernel_base,
                                const KernelImage& image, const BootFiles& files,
                                uint64_t top_reserve, PlacementError* why) {
  DtKernel out;
  if (image.format == KernelFormat::kElf) {
    out.guest = TRY(load_guest(image.arch, space, files.kernel));
  } else {
    const KernelPlacement at = TRY(place_kernel(image, ram, kernel_base, why));
    GuestMemory memory(space);
    TRY(memory.write(at.load, files.kernel));
    // image_size counts the BSS: the kernel clears it itself, but nothing stale is left there.
    TRY(memory.fill(at.load + files.kernel.size(),
                    at.end.raw() - at.load.raw() - files.kernel.size(), 0));
    out.guest.boot.pc = at.load.raw();
    out.guest.image_start = at.load.raw();
    out.guest.image_end = at.end.raw();
  }
  if (!files.initrd.empty()) {
    out.initrd =
        TRY(place_initrd(ram, Gpa(out.guest.image_end), files.initrd.size(), top_reserve, why));
    TRY(GuestMemory(space).write(out.initrd.start, files.initrd));
    TLOG_DEBUG("initrd (%zu bytes) at %#llx", files.initrd.size(),
               static_cast<unsigned long long>(out.initrd.start.raw()));
  }
  return out;
}

}  // namespace tandem

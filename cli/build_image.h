// SPDX-License-Identifier: Apache-2.0
// Packing guests into a prebuilt bare-metal image (`tandem build-image`). The image carries an
// empty payload area in a PT_LOAD segment of its own, above all others
// (backends/baremetal/common/payload.h); packing points that segment at a copy of the payload
// header, its VM table and each VM's pieces (kernel, initrd, firmware, device tree, bootargs),
// appended to the file. The result boots like the prebuilt image (QEMU -kernel, or a boot
// loader that loads ELF segments), with no cross toolchain needed. Architecture-generic: the
// image's payload header says which guests it runs.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/base/result.h"

namespace tandem::cli {

// Default guest RAM, as `tandem run --mem`.
inline constexpr uint64_t kDefaultGuestMem = 128ull << 20;

// One VM, in the words of `tandem run`: --kernel (any format core/loader/kernel_image.h
// detects), --initrd, --bios, --dtb, --append, --mem, --cpus, --machine, --name. Empty pieces
// are not given.
struct ImageVm {
  std::span<const uint8_t> kernel;
  std::span<const uint8_t> initrd;
  std::span<const uint8_t> firmware;
  std::span<const uint8_t> dtb;
  std::string bootargs;
  uint64_t ram_size = kDefaultGuestMem;
  unsigned cpus = 1;
  std::string board;  // empty: the architecture's default
  std::string name;   // the "[name] " of its console lines when the image holds several VMs
};

// `out` receives the bootable image. Errors, with `message` (when given) set to a one-line
// explanation: kBadImage when the hypervisor is not a usable ELF64 or has no (or an already
// filled) payload area, or a piece is not what it must be (a kernel the image cannot boot, a
// DTB that is not one); kUnsupported for a kernel of another architecture than the image's,
// no VM, more than kPayloadMaxVms, or several for an image other than aarch64's; kOutOfRange
// when an ELF kernel's segment does not fit in [guest RAM base, + ram_size), or the VMs want
// more than 8 physical CPUs in all (one per vCPU); kInvalidArgument for a ram_size that is 0 or
// not a multiple of 4 KiB, `cpus` outside 1..8, a board name or VM name longer than the header
// holds, two VMs of one name, neither a kernel nor firmware, or both.
[[nodiscard]] Result<void> build_image(std::span<const uint8_t> hypervisor_elf,
                                       std::span<const ImageVm> vms, std::vector<uint8_t>& out,
                                       std::string* message = nullptr);

}  // namespace tandem::cli

// SPDX-License-Identifier: Apache-2.0
// Packing a guest into a prebuilt bare-metal image (`tandem build-image`). The image carries an
// empty payload area in a PT_LOAD segment of its own, above all others
// (backends/baremetal/common/payload.h); packing points that segment at a copy of the payload
// header followed by the guest ELF, appended to the file. The result boots like the prebuilt
// image (QEMU -kernel, or a boot loader that loads ELF segments), with no cross toolchain
// needed. Architecture-generic: the image's payload header says which guests it runs.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/base/result.h"

namespace tandem::cli {

// Default guest RAM, as `tandem run --mem`.
inline constexpr uint64_t kDefaultGuestMem = 128ull << 20;

// `out` receives the bootable image. Errors: kBadImage when either file is not a usable ELF64
// or the hypervisor has no (or an already filled) payload area; kUnsupported when the guest's
// architecture is not the one the image runs; kOutOfRange when a guest segment does not fit in
// [guest RAM base, + guest_mem); kInvalidArgument for a guest_mem that is 0 or not a multiple
// of 4 KiB, or `cpus` outside 1..8. `message`, when given, receives a one-line explanation of
// the error. `cpus` vCPUs run on as many physical CPUs (the image checks the board has them).
// `board` names the board the image builds for the guest (empty: the architecture's default;
// kInvalidArgument when longer than the header holds).
[[nodiscard]] Result<void> build_image(std::span<const uint8_t> hypervisor_elf,
                                       std::span<const uint8_t> guest_elf, uint64_t guest_mem,
                                       std::vector<uint8_t>& out, std::string* message = nullptr,
                                       unsigned cpus = 1, const std::string& board = {});

}  // namespace tandem::cli

// SPDX-License-Identifier: Apache-2.0
// Reading the files a run boots (--kernel or the guest, --bios) and working out the guest's
// architecture, with one-line errors. The format comes from core/loader/kernel_image.h, the
// one detector every entry point uses.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/base/arch.h"
#include "core/loader/kernel_image.h"

namespace tandem::cli {

struct GuestFile {
  std::vector<uint8_t> bytes;
  Arch arch = Arch::kAarch64;
  KernelFormat format = KernelFormat::kRaw;
};

// Logs a clear error and returns nullopt for a missing or unreadable file, a file Tandem
// cannot boot (describe(ImageError) says why), a raw binary without `forced` (nothing in it
// names an architecture), or a `forced` architecture that contradicts the file.
// `firmware`: a --bios file, always taken as raw firmware.
std::optional<GuestFile> read_guest_file(const std::string& path, std::optional<Arch> forced,
                                         bool firmware = false);

}  // namespace tandem::cli

// SPDX-License-Identifier: Apache-2.0
// Reading a guest image from disk and working out its architecture, with one-line errors.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/base/arch.h"

namespace tandem::cli {

struct GuestFile {
  std::vector<uint8_t> bytes;
  Arch arch = Arch::kAarch64;
  bool multiboot = false;    // a multiboot v1 image (32-bit x86 entry), not a 64-bit ELF
  bool bzimage = false;      // a Linux x86 bzImage (64-bit boot protocol)
  std::vector<uint8_t> dtb;  // the --dtb file's bytes, if one was given
};

// Logs a clear error and returns nullopt for a missing or unreadable file, a file that is not
// an ELF, a multiboot image or a bzImage (a bzImage without a 64-bit entry included), a 32-bit ELF
// without a multiboot header, or an --arch that contradicts the ELF.
std::optional<GuestFile> read_guest_file(const std::string& path, std::optional<Arch> forced);

}  // namespace tandem::cli

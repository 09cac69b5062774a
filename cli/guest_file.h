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
};

// Logs a clear error and returns nullopt for a missing or unreadable file, a file that is not
// an ELF, a 32-bit ELF, or an --arch that contradicts the ELF.
std::optional<GuestFile> read_guest_file(const std::string& path, std::optional<Arch> forced);

}  // namespace tandem::cli

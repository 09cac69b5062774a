// SPDX-License-Identifier: Apache-2.0
#include "cli/guest_file.h"

#include <spdlog/spdlog.h>

#include <utility>

#include "cli/input_file.h"

namespace tandem::cli {

std::optional<GuestFile> read_guest_file(const std::string& path, std::optional<Arch> forced,
                                         bool firmware) {
  auto bytes = read_input_file(path);
  if (!bytes) return std::nullopt;
  GuestFile file;
  file.bytes = std::move(*bytes);
  if (firmware) {
    if (file.bytes.empty()) {
      spdlog::error("--bios {}: {}", path, describe(ImageError::kEmpty));
      return std::nullopt;
    }
  } else {
    ImageError why = ImageError::kNone;
    auto image = identify_kernel(file.bytes, &why);
    if (!image) {
      spdlog::error("{}: {}", path, describe(why));
      return std::nullopt;
    }
    file.format = image->format;
    file.arch = image->arch;
  }
  if (file.format == KernelFormat::kRaw) {
    if (!forced) {
      spdlog::error(
          "{}: a raw binary (no ELF, Image, bzImage or multiboot header names its "
          "architecture): give --arch aarch64|riscv64",
          path);
      return std::nullopt;
    }
    file.arch = *forced;
  }
  if (forced && *forced != file.arch) {
    spdlog::error("{}: --arch {} but the file is for {} ({})", path, to_string(*forced),
                  to_string(file.arch), to_string(file.format));
    return std::nullopt;
  }
  return file;
}

}  // namespace tandem::cli

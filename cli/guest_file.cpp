// SPDX-License-Identifier: Apache-2.0
#include "cli/guest_file.h"

#include <spdlog/spdlog.h>

#include <utility>

#include "cli/input_file.h"
#include "core/loader/elf.h"
#include "core/loader/multiboot.h"

namespace tandem::cli {

std::optional<GuestFile> read_guest_file(const std::string& path, std::optional<Arch> forced) {
  auto bytes = read_input_file(path);
  if (!bytes) return std::nullopt;
  GuestFile file;
  file.bytes = std::move(*bytes);
  const auto& b = file.bytes;
  const bool elf64 = b.size() > 4 && b[0] == 0x7f && b[1] == 'E' && b[4] == 2;
  if (!elf64 && multiboot::find_header(file.bytes)) {
    if (forced && *forced != Arch::kX86_64) {
      spdlog::error("{}: --arch {} but this is an x86 multiboot image", path, to_string(*forced));
      return std::nullopt;
    }
    file.arch = Arch::kX86_64;
    file.multiboot = true;
    return file;
  }
  if (b.size() < 4 || b[0] != 0x7f || b[1] != 'E' || b[2] != 'L' || b[3] != 'F') {
    spdlog::error("{}: not an ELF file (Tandem runs ELF guest images)", path);
    return std::nullopt;
  }
  auto image = parse_elf(file.bytes);
  if (!image) {
    if (image.error() == Status::kUnsupported && b.size() > 4 && b[4] == 1)
      spdlog::error(
          "{}: 32-bit ELF without a multiboot header: Tandem runs 64-bit ELF guests "
          "and multiboot v1 images",
          path);
    else if (image.error() == Status::kUnsupported)
      spdlog::error("{}: ELF for an architecture Tandem does not run (aarch64, riscv64, x86_64)",
                    path);
    else
      spdlog::error("{}: malformed ELF ({})", path, to_string(image.error()));
    return std::nullopt;
  }
  if (forced && *forced != image->arch) {
    spdlog::error("{}: --arch {} but the ELF is {}", path, to_string(*forced),
                  to_string(image->arch));
    return std::nullopt;
  }
  file.arch = image->arch;
  return file;
}

}  // namespace tandem::cli

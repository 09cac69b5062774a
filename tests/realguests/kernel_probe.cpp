// SPDX-License-Identifier: Apache-2.0
// Runs core/loader's detection, parse and placement on a real kernel file and prints what they
// found, one key=value per line, for image_header_test.py to compare with its own reading:
//   kernel_probe <aarch64|riscv64> <file> <ram-base> <ram-size> <kernel-base>
// Exit status 1 with the loader's message when the file is refused.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <vector>

#include "core/loader/boot_layout.h"
#include "core/loader/kernel_image.h"

int main(int argc, char** argv) {
  using namespace tandem;
  if (argc != 6) {
    std::fprintf(stderr, "usage: %s <aarch64|riscv64> <file> <ram-base> <ram-size> <kernel-base>\n",
                 argv[0]);
    return 2;
  }
  const Arch arch = std::strcmp(argv[1], "riscv64") == 0 ? Arch::kRiscv64 : Arch::kAarch64;
  // One read of the whole file: a 30 MB kernel byte by byte is slow in a sanitizer build.
  std::ifstream in(argv[2], std::ios::binary | std::ios::ate);
  if (!in) {
    std::fprintf(stderr, "%s: cannot open\n", argv[2]);
    return 2;
  }
  std::vector<uint8_t> file(static_cast<size_t>(in.tellg()));
  in.seekg(0);
  in.read(reinterpret_cast<char*>(file.data()), static_cast<std::streamsize>(file.size()));
  const RamRange ram{Gpa(std::strtoull(argv[3], nullptr, 0)), std::strtoull(argv[4], nullptr, 0)};
  const Gpa kernel_base(std::strtoull(argv[5], nullptr, 0));

  ImageError why = ImageError::kNone;
  auto k = parse_kernel(file, arch, &why);
  if (!k) {
    std::printf("error=%s\n", describe(why));
    return 1;
  }
  PlacementError where = PlacementError::kNone;
  auto p = place_kernel(*k, ram, kernel_base, &where);
  if (!p) {
    std::printf("error=%s\n", describe(where));
    return 1;
  }
  std::printf(
      "format=%s\narch=%s\ntext_offset=%#llx\nsize=%#llx\nfile_size=%#llx\n", to_string(k->format),
      to_string(k->arch), static_cast<unsigned long long>(k->text_offset),
      static_cast<unsigned long long>(k->size), static_cast<unsigned long long>(k->file_size));
  std::printf("efi_stub=%d\nload=%#llx\nend=%#llx\n", k->efi_stub ? 1 : 0,
              static_cast<unsigned long long>(p->load.raw()),
              static_cast<unsigned long long>(p->end.raw()));
  return 0;
}

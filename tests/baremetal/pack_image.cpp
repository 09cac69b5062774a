// SPDX-License-Identifier: Apache-2.0
// The bare-metal tests' packer, a thin wrapper over cli::build_image (what `tandem build-image`
// runs), so the tests do not depend on the CLI's option parsing:
//   tandem_pack_image <hypervisor.elf> <guest.elf> <out.elf> [guest-mem-bytes]
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "cli/build_image.h"

namespace {

bool read_file(const char* path, std::vector<uint8_t>& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  out.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4 && argc != 5) {
    std::fprintf(stderr, "usage: %s <hypervisor.elf> <guest.elf> <out.elf> [guest-mem-bytes]\n",
                 argv[0]);
    return 2;
  }
  std::vector<uint8_t> hv, guest, out;
  for (auto [path, buf] : {std::pair{argv[1], &hv}, std::pair{argv[2], &guest}}) {
    if (!read_file(path, *buf)) {
      std::fprintf(stderr, "cannot read %s\n", path);
      return 2;
    }
  }
  const uint64_t mem =
      argc == 5 ? std::strtoull(argv[4], nullptr, 0) : tandem::cli::kDefaultGuestMem;
  std::string message;
  if (!tandem::cli::build_image(hv, guest, mem, out, &message)) {
    std::fprintf(stderr, "build-image: %s\n", message.c_str());
    return 1;
  }
  std::ofstream f(argv[3], std::ios::binary);
  f.write(reinterpret_cast<const char*>(out.data()), static_cast<std::streamsize>(out.size()));
  return f ? 0 : 1;
}

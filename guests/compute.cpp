// SPDX-License-Identifier: Apache-2.0
// A long, deterministic run of ALU work, loads and stores: a xorshift32 generator (Marsaglia,
// "Xorshift RNGs", 2003) picks words of a 4 KiB buffer to update, and an FNV-1a-style hash folds
// them into a checksum. Fixed-width unsigned arithmetic only, so every arch prints the same
// value. TANDEM_GUEST_COMPUTE_ITERATIONS (guests/CMakeLists.txt) sets the length.
#include <cstdint>

#include "guest.h"

namespace {

constexpr std::uint32_t kWords = 1024;
constexpr std::uint64_t kIterations = TANDEM_GUEST_COMPUTE_ITERATIONS;
constexpr std::uint64_t kFnvPrime = 0x100000001b3;

std::uint32_t buffer[kWords];

}  // namespace

extern "C" int guest_main() {
  guest::put_str("compute: ");
  guest::put_dec(kIterations);
  guest::put_str(" iterations\n");

  std::uint32_t x = 0x2545f491;
  std::uint64_t sum = 0xcbf29ce484222325;
  for (std::uint64_t i = 0; i < kIterations; ++i) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    std::uint32_t& word = buffer[x % kWords];
    word = word * 33 + x;
    sum = (sum ^ word) * kFnvPrime;
  }
  guest::put_hex_line("compute: checksum ", sum);
  return 0;
}

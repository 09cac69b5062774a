// SPDX-License-Identifier: Apache-2.0
// Bit scans for the freestanding core. std::countr_zero compiles to a libgcc call (__ctzdi2) on
// riscv64 without Zbb, which no bare-metal image links, so the riscv64 build uses a de Bruijn
// multiply instead.
#pragma once

#include <bit>
#include <cstdint>

namespace tandem {

// Index of the lowest set bit of a non-zero value.
constexpr unsigned lowest_set_bit(uint64_t v) {
#if defined(__riscv) && !defined(__riscv_zbb)
  constexpr uint64_t kDeBruijn = 0x03f79d71b4cb0a89ull;
  constexpr uint8_t kIndex[64] = {0,  1,  48, 2,  57, 49, 28, 3,  61, 58, 50, 42, 38, 29, 17, 4,
                                  62, 55, 59, 36, 53, 51, 43, 22, 45, 39, 33, 30, 24, 18, 12, 5,
                                  63, 47, 56, 27, 60, 41, 37, 16, 54, 35, 52, 21, 44, 32, 23, 11,
                                  46, 26, 40, 15, 34, 20, 31, 10, 25, 14, 19, 9,  13, 8,  7,  6};
  return kIndex[((v & (~v + 1)) * kDeBruijn) >> 58];
#else
  return static_cast<unsigned>(std::countr_zero(v));
#endif
}

}  // namespace tandem

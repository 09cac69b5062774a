// SPDX-License-Identifier: Apache-2.0
// Little-endian loads from and stores into byte buffers that stand for guest memory or image
// files, whatever the host's byte order and alignment.
#pragma once

#include <cstdint>

namespace tandem {

// Reads p[0..n) (n <= 8), least significant first.
inline uint64_t load_le(const uint8_t* p, unsigned n) {
  uint64_t v = 0;
  for (unsigned i = 0; i < n; ++i) v |= uint64_t{p[i]} << (8 * i);
  return v;
}

// Writes the low `n` bytes of `v` (n <= 8) to p[0..n), least significant first.
inline void store_le(uint8_t* p, uint64_t v, unsigned n) {
  for (unsigned i = 0; i < n; ++i) p[i] = static_cast<uint8_t>(v >> (8 * i));
}

}  // namespace tandem

// SPDX-License-Identifier: Apache-2.0
// How the guests' own page-table walkers (core/arch/<arch>/*_walk.h) read a table entry: an
// 8-byte load at a guest-physical address, supplied by whoever owns guest memory (a backend, a
// test). The walkers never write: they leave accessed and dirty bits alone.
#pragma once

#include <cstdint>

namespace tandem {

struct TableReader {
  // false when `pa` is not readable guest RAM: the walk then fails.
  bool (*read64)(void* ctx, uint64_t pa, uint64_t& value) = nullptr;
  void* ctx = nullptr;

  bool read(uint64_t pa, uint64_t& value) const { return read64(ctx, pa, value); }
};

}  // namespace tandem

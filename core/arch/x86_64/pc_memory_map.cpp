// SPDX-License-Identifier: Apache-2.0
#include "core/arch/x86_64/pc_memory_map.h"

namespace tandem::x86 {

size_t pc_memory_map(uint64_t ram_size, uint64_t reserved_top,
                     std::span<E820Entry, kPcMemoryMapEntries> out) {
  const uint64_t usable_end = ram_size - reserved_top;
  size_t n = 0;
  out[n++] = {0, 0x9fc00, E820Type::kAvailable};
  out[n++] = {0x9fc00, 0x400, E820Type::kReserved};
  out[n++] = {kBiosAreaBase, 0x10000, E820Type::kReserved};
  out[n++] = {0x100000, usable_end - 0x100000, E820Type::kAvailable};
  if (reserved_top != 0) out[n++] = {usable_end, reserved_top, E820Type::kReserved};
  out[n++] = {0xfffc0000, 0x40000, E820Type::kReserved};
  return n;
}

}  // namespace tandem::x86

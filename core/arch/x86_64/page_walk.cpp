// SPDX-License-Identifier: Apache-2.0
#include "core/arch/x86_64/page_walk.h"

namespace tandem::x86_64 {
namespace {

constexpr uint64_t kCr0Pg = uint64_t{1} << 31;
constexpr uint64_t kCr4Pae = uint64_t{1} << 5;
constexpr uint64_t kCr4La57 = uint64_t{1} << 12;
// Paging-structure entries (SDM vol.3A tables 4-15 to 4-20): P bit 0, PS bit 7, the address
// in bits [51:12] (M = 52, the architectural maximum).
constexpr uint64_t kPresent = 1;
constexpr uint64_t kPageSize = uint64_t{1} << 7;
constexpr uint64_t kAddrMask = ((uint64_t{1} << 52) - 1) & ~uint64_t{0xfff};

}  // namespace

std::optional<uint64_t> translate(const PagingRegs& regs, uint64_t la, const TableReader& read) {
  if ((regs.cr0 & kCr0Pg) == 0) return la;
  if ((regs.cr4 & kCr4Pae) == 0) return std::nullopt;  // 32-bit paging: not a 64-bit guest
  const unsigned levels = (regs.cr4 & kCr4La57) != 0 ? 5 : 4;
  const unsigned la_bits = 12 + 9 * levels;
  const int64_t canonical = static_cast<int64_t>(la << (64 - la_bits)) >> (64 - la_bits);
  if (static_cast<uint64_t>(canonical) != la) return std::nullopt;
  uint64_t table = regs.cr3 & kAddrMask;
  for (unsigned level = levels; level-- > 0;) {
    const unsigned shift = 12 + 9 * level;
    uint64_t entry = 0;
    if (!read.read(table + ((la >> shift) & 0x1ff) * 8, entry)) return std::nullopt;
    if ((entry & kPresent) == 0) return std::nullopt;
    // PS maps a 1 GiB page in a PDPTE (level 2) and a 2 MiB page in a PDE (level 1); it is
    // reserved above (a fault) and is PAT in a PTE.
    const bool large = level > 0 && (entry & kPageSize) != 0;
    if (large && level > 2) return std::nullopt;
    if (large || level == 0) {
      const uint64_t offset_mask = (uint64_t{1} << shift) - 1;
      return (entry & kAddrMask & ~offset_mask) | (la & offset_mask);
    }
    table = entry & kAddrMask;
  }
  return std::nullopt;
}

}  // namespace tandem::x86_64

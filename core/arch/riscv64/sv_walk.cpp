// SPDX-License-Identifier: Apache-2.0
#include "core/arch/riscv64/sv_walk.h"

namespace tandem::riscv64 {
namespace {

// satp (priv spec 10.1.11): MODE[63:60], ASID[59:44], PPN[43:0].
constexpr uint64_t kModeBare = 0;
constexpr uint64_t kModeSv39 = 8;
constexpr uint64_t kModeSv57 = 10;
constexpr uint64_t kPpnMask = (uint64_t{1} << 44) - 1;
// PTE bits (10.3.1).
constexpr uint64_t kPteV = 1u << 0;
constexpr uint64_t kPteR = 1u << 1;
constexpr uint64_t kPteW = 1u << 2;
constexpr uint64_t kPteX = 1u << 3;
constexpr unsigned kPageShift = 12;
constexpr unsigned kVpnBits = 9;

}  // namespace

std::optional<uint64_t> sv_translate(uint64_t satp, uint64_t va, SvAccess access,
                                     const TableReader& read) {
  const uint64_t mode = satp >> 60;
  if (mode == kModeBare) return va;
  if (mode < kModeSv39 || mode > kModeSv57) return std::nullopt;
  const unsigned levels = static_cast<unsigned>(mode - kModeSv39) + 3;  // Sv39 3, Sv48 4, Sv57 5
  // The address must be the sign extension of its top translated bit.
  const unsigned va_bits = kPageShift + kVpnBits * levels;
  const int64_t extended = static_cast<int64_t>(va << (64 - va_bits)) >> (64 - va_bits);
  if (static_cast<uint64_t>(extended) != va) return std::nullopt;
  uint64_t table = (satp & kPpnMask) << kPageShift;
  for (unsigned level = levels; level-- > 0;) {
    const unsigned shift = kPageShift + kVpnBits * level;
    const uint64_t index = (va >> shift) & ((1u << kVpnBits) - 1);
    uint64_t pte = 0;
    if (!read.read(table + index * 8, pte)) return std::nullopt;
    if ((pte & kPteV) == 0 || ((pte & kPteW) != 0 && (pte & kPteR) == 0)) return std::nullopt;
    const uint64_t ppn = (pte >> 10) & kPpnMask;
    if ((pte & (kPteR | kPteX)) == 0) {  // pointer to the next level
      table = ppn << kPageShift;
      continue;
    }
    if (access == SvAccess::kFetch && (pte & kPteX) == 0) return std::nullopt;
    // A superpage's PPN must be aligned to it (a misaligned one is a page fault).
    const uint64_t offset_mask = (uint64_t{1} << shift) - 1;
    const uint64_t base = ppn << kPageShift;
    if ((base & offset_mask) != 0) return std::nullopt;
    return base | (va & offset_mask);
  }
  return std::nullopt;
}

}  // namespace tandem::riscv64

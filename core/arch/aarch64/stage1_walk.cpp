// SPDX-License-Identifier: Apache-2.0
#include "core/arch/aarch64/stage1_walk.h"

namespace tandem::aarch64 {
namespace {

// TCR_EL1 fields (D17.2.131).
struct Half {
  unsigned txsz;   // T0SZ / T1SZ: the range is 2^(64 - TxSZ) bytes
  bool disabled;   // EPD0 / EPD1: a miss in this half is a fault, no walk
  unsigned grain;  // log2 of the granule: 12, 14 or 16; 0 reserved
  bool tbi;        // TBI0 / TBI1: bits [63:56] are ignored
  uint64_t ttbr;
};

unsigned bits(uint64_t v, unsigned lo, unsigned width) {
  return static_cast<unsigned>((v >> lo) & ((uint64_t{1} << width) - 1));
}

Half lower(const Stage1Regs& r) {
  // TG0: 0b00 4 KiB, 0b01 64 KiB, 0b10 16 KiB.
  static constexpr unsigned kTg0[4] = {12, 16, 14, 0};
  return {bits(r.tcr_el1, 0, 6), bits(r.tcr_el1, 7, 1) != 0, kTg0[bits(r.tcr_el1, 14, 2)],
          bits(r.tcr_el1, 37, 1) != 0, r.ttbr0_el1};
}

Half upper(const Stage1Regs& r) {
  // TG1: 0b01 16 KiB, 0b10 4 KiB, 0b11 64 KiB.
  static constexpr unsigned kTg1[4] = {0, 14, 12, 16};
  return {bits(r.tcr_el1, 16, 6), bits(r.tcr_el1, 23, 1) != 0, kTg1[bits(r.tcr_el1, 30, 2)],
          bits(r.tcr_el1, 38, 1) != 0, r.ttbr1_el1};
}

// Output address bits [47:grain] of a descriptor or TTBR (D8.3, "Translation table
// descriptor formats"; TTBR BADDR [47:1], D17.2.140).
constexpr uint64_t kAddrMask = (uint64_t{1} << 48) - 1;

}  // namespace

std::optional<uint64_t> stage1_translate(const Stage1Regs& regs, uint64_t va,
                                         const TableReader& read) {
  if ((regs.sctlr_el1 & 1) == 0) return va;
  const bool high = ((va >> 55) & 1) != 0;
  const Half h = high ? upper(regs) : lower(regs);
  if (h.disabled || h.grain == 0) return std::nullopt;
  // T0SZ/T1SZ below 16 would be 52-bit ranges (LPA); above 39 ranges smaller than the
  // architecture allows with 4 KiB granules: both refused rather than guessed.
  if (h.txsz < 16 || h.txsz > 39) return std::nullopt;
  const unsigned va_bits = 64 - h.txsz;
  // Bits above the range must all equal the range's selector (all 0 for TTBR0, all 1 for
  // TTBR1), bits [63:56] excepted with top-byte ignore (D8.8).
  const unsigned top = h.tbi ? 56 : 64;
  for (unsigned b = va_bits; b < top; ++b)
    if ((((va >> b) & 1) != 0) != high) return std::nullopt;
  const unsigned stride = h.grain - 3;
  // Levels: each resolves `stride` bits; the last resolves the page's bits above `grain`.
  const unsigned levels = (va_bits - h.grain + stride - 1) / stride;
  unsigned level = 4 - levels;
  uint64_t table = h.ttbr & kAddrMask & ~uint64_t{1};
  for (;; ++level) {
    const unsigned shift = h.grain + stride * (3 - level);
    const unsigned index_bits = level == 4 - levels ? va_bits - shift : stride;
    const uint64_t index = (va >> shift) & ((uint64_t{1} << index_bits) - 1);
    // The first table is aligned to its own size, smaller than a granule for short ranges.
    uint64_t desc = 0;
    if (!read.read((table & ~((uint64_t{8} << index_bits) - 1)) + index * 8, desc))
      return std::nullopt;
    const uint64_t out = desc & kAddrMask & ~((uint64_t{1} << h.grain) - 1);
    switch (desc & 3) {
      case 3:  // table (levels 0-2) or page (level 3)
        if (level < 3) {
          table = out;
          continue;
        }
        return out | (va & ((uint64_t{1} << h.grain) - 1));
      case 1: {  // block: 4 KiB granule at levels 1-2, 16/64 KiB at level 2 (D8.3.1)
        const bool allowed = level == 2 || (level == 1 && h.grain == 12);
        if (!allowed) return std::nullopt;
        const uint64_t offset_mask = (uint64_t{1} << shift) - 1;
        return (out & ~offset_mask) | (va & offset_mask);
      }
      default: return std::nullopt;  // invalid
    }
  }
}

}  // namespace tandem::aarch64

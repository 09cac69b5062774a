// SPDX-License-Identifier: Apache-2.0
// AArch64 stage-2 translation: descriptors for the 4 KiB granule and the VTCR_EL2 / VTTBR_EL2
// values that describe a table. Pure constexpr; writing the registers is the bare-metal
// backend's job.
//
// Descriptors (Arm ARM DDI 0487 J.a, D8.3 "Translation table descriptor formats"):
//
//  table, levels 0..2:
//   63     59 58     51 50  48 47                               12 11        2  1   0
//  +---------+---------+------+-----------------------------------+-----------+---+---+
//  |RES0 (S2)| ignored | RES0 | next-level table address [47:12]  |  ignored  | 1 | 1 |
//  +---------+---------+------+-----------------------------------+-----------+---+---+
//
//  block (levels 1, 2) and page (level 3):
//   63  55 54  53 52  51 50 48 47            n  n-1  12 11 10  9  8 7    6 5       2  1   0
//  +------+------+---+---+----+---------------+--------+--+--+-----+------+---------+---+---+
//  |  SW  |XN[1:0]|Ct |DBM|RES0| output address| RES0   |  |AF|SH   | S2AP | MemAttr | p | 1 |
//  +------+------+---+---+----+---------------+--------+--+--+-----+------+---------+---+---+
//  p = 0 block, 1 page; n = 30 (level-1 block), 21 (level-2 block), 12 (page).
//  XN is bit 54; bit 53 is RES0 without FEAT_XNX (with it, XN[1:0] = 0b10 still means
//  "no execution at EL1 or EL0"), so setting bit 54 alone is right on every CPU.
#pragma once

#include <cstdint>
#include <optional>

namespace tandem::aarch64 {

inline constexpr uint64_t S2_DESC_VALID = 1ull << 0;
// Bit 1: "table" at levels 0..2, "page" at level 3; clear for a block.
inline constexpr uint64_t S2_DESC_TABLE = 1ull << 1;
inline constexpr uint64_t S2_DESC_PAGE = 1ull << 1;
inline constexpr uint64_t S2_OA_MASK = 0x0000'ffff'ffff'f000ull;  // OA[47:12], 48-bit OA

// D8.6 "Memory attribute fields": MemAttr[5:2] with FEAT_S2FWB disabled. MemAttr[3:2] = 0b00
// selects Device with MemAttr[1:0] the type; otherwise [3:2] is Outer and [1:0] Inner
// cacheability (0b01 NC, 0b10 WT, 0b11 WB).
inline constexpr unsigned S2_MEMATTR_SHIFT = 2;
inline constexpr uint64_t S2_MEMATTR_MASK = 0xfull << S2_MEMATTR_SHIFT;
inline constexpr uint8_t S2_MEMATTR_NORMAL_WB = 0b1111;
inline constexpr uint8_t S2_MEMATTR_DEVICE_nGnRE = 0b0001;  // NOLINT(readability-identifier-naming)

// D8.4 "Memory access control": S2AP[7:6], bit 6 grants reads, bit 7 writes.
inline constexpr uint64_t S2AP_R = 1ull << 6;
inline constexpr uint64_t S2AP_W = 1ull << 7;
inline constexpr unsigned S2_SH_SHIFT = 8;
inline constexpr uint64_t S2_SH_INNER = 0b11ull << S2_SH_SHIFT;
// Without hardware AF management (D8.5, FEAT_HAFDBS) a clear AF faults on first access.
inline constexpr uint64_t S2_AF = 1ull << 10;
inline constexpr uint64_t S2_XN = 1ull << 54;

struct S2LeafAttrs {
  bool read = false;
  bool write = false;
  bool exec = false;
  uint8_t memattr = S2_MEMATTR_NORMAL_WB;
  constexpr bool operator==(const S2LeafAttrs&) const = default;
};

constexpr uint64_t s2_table_desc(uint64_t table_pa) {
  return (table_pa & S2_OA_MASK) | S2_DESC_TABLE | S2_DESC_VALID;
}

constexpr uint64_t s2_leaf_bits(uint64_t pa, S2LeafAttrs a) {
  return (pa & S2_OA_MASK) | (uint64_t{a.memattr} << S2_MEMATTR_SHIFT) | (a.read ? S2AP_R : 0) |
         (a.write ? S2AP_W : 0) | S2_SH_INNER | S2_AF | (a.exec ? 0 : S2_XN) | S2_DESC_VALID;
}

// A level-1 (1 GiB) or level-2 (2 MiB) block; `pa` must be aligned to the block size.
constexpr uint64_t s2_block_desc(uint64_t pa, S2LeafAttrs a) { return s2_leaf_bits(pa, a); }
// A level-3 (4 KiB) page.
constexpr uint64_t s2_page_desc(uint64_t pa, S2LeafAttrs a) {
  return s2_leaf_bits(pa, a) | S2_DESC_PAGE;
}

constexpr S2LeafAttrs s2_leaf_attrs(uint64_t desc) {
  return {(desc & S2AP_R) != 0, (desc & S2AP_W) != 0, (desc & S2_XN) == 0,
          static_cast<uint8_t>((desc & S2_MEMATTR_MASK) >> S2_MEMATTR_SHIFT)};
}

constexpr bool s2_memattr_is_device(uint8_t memattr) { return (memattr & 0b1100) == 0; }

// VTCR_EL2 (Arm ARM, register description "VTCR_EL2"):
//   31   22 21 19 18 16 15 14 13 12 11 10 9    8 7   6 5       0
//  +----+--+--+--+-----+-----+-----+-----+------+-----+---------+
//  |RES1|HD|HA|VS| PS  | TG0 | SH0 |ORGN0|IRGN0 | SL0 |  T0SZ   |
//  +----+--+--+--+-----+-----+-----+-----+------+-----+---------+
inline constexpr uint64_t VTCR_RES1 = 1ull << 31;
inline constexpr unsigned VTCR_T0SZ_SHIFT = 0;
inline constexpr unsigned VTCR_SL0_SHIFT = 6;
inline constexpr unsigned VTCR_IRGN0_SHIFT = 8;
inline constexpr unsigned VTCR_ORGN0_SHIFT = 10;
inline constexpr unsigned VTCR_SH0_SHIFT = 12;
inline constexpr unsigned VTCR_TG0_SHIFT = 14;
inline constexpr unsigned VTCR_PS_SHIFT = 16;
inline constexpr uint64_t VTCR_VS = 1ull << 19;
inline constexpr uint64_t VTCR_TG0_4K = 0b00;
inline constexpr uint64_t VTCR_RGN_WBWA = 0b01;
inline constexpr uint64_t VTCR_SH_INNER = 0b11;

// PS: the output (physical) address size, encoded as for ID_AA64MMFR0_EL1.PARange.
constexpr std::optional<uint64_t> vtcr_ps(unsigned pa_bits) {
  switch (pa_bits) {
    case 32: return 0b000;
    case 36: return 0b001;
    case 40: return 0b010;
    case 42: return 0b011;
    case 44: return 0b100;
    case 48: return 0b101;
    default: return std::nullopt;
  }
}

// D8.2 "Translation process", concatenated tables for the initial stage 2 lookup, 4 KiB
// granule: a walk that starts at level 1 (3 levels) resolves IPAs of 31..43 bits, up to 16
// level-1 tables concatenated above 39 bits; one that starts at level 0 (4 levels) resolves
// 40..48 bits (fewer is an inconsistent configuration and faults). We support 32..48.
constexpr bool s2_geometry_valid(unsigned ipa_bits, unsigned levels) {
  if (levels == 3) return ipa_bits >= 32 && ipa_bits <= 43;
  if (levels == 4) return ipa_bits >= 40 && ipa_bits <= 48;
  return false;
}

// Number of concatenated 4 KiB tables at the initial lookup level.
constexpr unsigned s2_root_tables(unsigned ipa_bits, unsigned levels) {
  const unsigned covered = 12 + 9 * levels;
  return ipa_bits > covered ? 1u << (ipa_bits - covered) : 1u;
}

struct VtcrParams {
  unsigned ipa_bits = 40;
  unsigned levels = 3;
  unsigned pa_bits = 40;
  // Inner-shareable write-back walks (what Linux/KVM use); 0 means non-cacheable walks, which
  // only suits tables written with the MMU and caches off.
  bool cacheable_walks = true;
  bool vmid16 = false;
};

constexpr std::optional<uint64_t> vtcr_el2(const VtcrParams& p) {
  if (!s2_geometry_valid(p.ipa_bits, p.levels)) return std::nullopt;
  const auto ps = vtcr_ps(p.pa_bits);
  if (!ps) return std::nullopt;
  // SL0 with the 4 KiB granule: 0b01 starts at level 1, 0b10 at level 0.
  const uint64_t sl0 = p.levels == 3 ? 0b01 : 0b10;
  uint64_t v = VTCR_RES1 | (uint64_t{64 - p.ipa_bits} << VTCR_T0SZ_SHIFT) |
               (sl0 << VTCR_SL0_SHIFT) | (VTCR_TG0_4K << VTCR_TG0_SHIFT) | (*ps << VTCR_PS_SHIFT);
  if (p.cacheable_walks) {
    v |= (VTCR_RGN_WBWA << VTCR_IRGN0_SHIFT) | (VTCR_RGN_WBWA << VTCR_ORGN0_SHIFT) |
         (VTCR_SH_INNER << VTCR_SH0_SHIFT);
  }
  if (p.vmid16) v |= VTCR_VS;
  return v;
}

// VTTBR_EL2: VMID[63:48] (only [55:48] with 8-bit VMIDs), BADDR[47:1], CnP[0] left 0. BADDR
// must be aligned to the size of the (concatenated) initial table.
inline constexpr unsigned VTTBR_VMID_SHIFT = 48;
inline constexpr uint64_t VTTBR_BADDR_MASK = 0x0000'ffff'ffff'fffeull;

constexpr uint64_t vttbr_el2(uint64_t root_pa, uint16_t vmid) {
  return (uint64_t{vmid} << VTTBR_VMID_SHIFT) | (root_pa & VTTBR_BADDR_MASK);
}

static_assert(s2_block_desc(0x4000'0000, {true, true, false, S2_MEMATTR_NORMAL_WB}) ==
              0x0040'0000'4000'07fdull);
static_assert(s2_root_tables(43, 3) == 16 && s2_root_tables(39, 3) == 1);
static_assert(vtcr_el2({32, 3, 40, false, false}) == 0x8002'0060ull);

}  // namespace tandem::aarch64

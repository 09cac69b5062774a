// SPDX-License-Identifier: Apache-2.0
// Intel EPT, 4-level: paging-structure entries and the EPT pointer. Pure constexpr; the VMCS
// write is the backend's job.
//
// Entries (Intel SDM vol. 3C, 29.3.2 "EPT Translation Mechanism", Figure 29-1 and Tables
// 29-1..29-6; 28.2.2 / Tables 28-x in editions before the HLAT chapter was added):
//
//  non-leaf (PML4E, PDPTE/PDE with bit 7 = 0):
//   63   52 51    N N-1                        12 11   8 7  3 2 1 0
//  +-------+-------+------------------------------+------+----+-+-+-+
//  |ignored| RES0  | next-level table address     |ign. |RES0|X|W|R|
//  +-------+-------+------------------------------+------+----+-+-+-+
//
//  leaf (PDPTE/PDE with bit 7 = 1 mapping 1 GiB / 2 MiB, or a PTE mapping 4 KiB):
//   63   52 51    N N-1            n n-1   12 11 10 9 8  7   6   5  3 2 1 0
//  +-------+-------+------------------+------+--+--+-+-+---+----+-----+-+-+-+
//  |ignored| RES0  | page address     | RES0 |  |UX|D|A|L/i|IPAT| MT  |X|W|R|
//  +-------+-------+------------------+------+--+--+-+-+---+----+-----+-+-+-+
//  n = 30 (1 GiB), 21 (2 MiB), 12 (4 KiB). Bit 7 ("L") must be 1 in a 1 GiB/2 MiB leaf and is
//  ignored in a PTE. An entry with bits 2:0 all zero is not present. A and D (bits 8, 9) are
//  only written by the CPU when EPTP bit 6 enables them; UX (bit 10) only matters with
//  mode-based execute control. N is MAXPHYADDR (at most 52).
#pragma once

#include <cstdint>

namespace tandem::x86_64 {

inline constexpr uint64_t EPT_R = 1ull << 0;
inline constexpr uint64_t EPT_W = 1ull << 1;
inline constexpr uint64_t EPT_X = 1ull << 2;
inline constexpr uint64_t EPT_RWX = EPT_R | EPT_W | EPT_X;
inline constexpr unsigned EPT_MT_SHIFT = 3;
inline constexpr uint64_t EPT_MT_MASK = 0b111ull << EPT_MT_SHIFT;
inline constexpr uint64_t EPT_IPAT = 1ull << 6;
inline constexpr uint64_t EPT_LARGE = 1ull << 7;
inline constexpr uint64_t EPT_ACCESSED = 1ull << 8;
inline constexpr uint64_t EPT_DIRTY = 1ull << 9;
inline constexpr uint64_t EPT_ADDR_MASK = 0x000f'ffff'ffff'f000ull;  // bits 51:12

// Memory types, encoded as in the MTRRs and PAT (SDM vol. 3A, "Memory Cache Control").
inline constexpr uint8_t EPT_MT_UC = 0;
inline constexpr uint8_t EPT_MT_WB = 6;

struct EptLeafAttrs {
  bool read = false;
  bool write = false;
  bool exec = false;
  uint8_t memtype = EPT_MT_WB;
  constexpr bool operator==(const EptLeafAttrs&) const = default;
};

// Permissions in a non-leaf entry are ANDed with the leaf's, so tables grant everything.
constexpr uint64_t ept_table_entry(uint64_t table_pa) {
  return (table_pa & EPT_ADDR_MASK) | EPT_RWX;
}

// IPAT is set so the EPT memory type is final (SDM vol. 3C "EPT and Memory Typing"): guest PAT
// cannot turn RAM uncacheable behind the host's back, nor make device memory cacheable.
constexpr uint64_t ept_leaf(uint64_t pa, EptLeafAttrs a, bool large) {
  return (pa & EPT_ADDR_MASK) | (a.read ? EPT_R : 0) | (a.write ? EPT_W : 0) |
         (a.exec ? EPT_X : 0) | (uint64_t{a.memtype} << EPT_MT_SHIFT) | EPT_IPAT |
         (large ? EPT_LARGE : 0);
}

constexpr EptLeafAttrs ept_leaf_attrs(uint64_t e) {
  return {(e & EPT_R) != 0, (e & EPT_W) != 0, (e & EPT_X) != 0,
          static_cast<uint8_t>((e & EPT_MT_MASK) >> EPT_MT_SHIFT)};
}

// EPTP (SDM vol. 3C 25.6.11 "Extended-Page-Table Pointer (EPTP)"):
//   63   N N-1                   12 11   7  6   5   3 2   0
//  +------+-------------------------+------+---+-------+-----+
//  | RES0 | PML4 table address      | RES0 |A/D|walk-1 | MT  |
//  +------+-------------------------+------+---+-------+-----+
// MT is the memory type used to access the paging structures (UC or WB).
inline constexpr unsigned EPTP_WALK_SHIFT = 3;
inline constexpr uint64_t EPTP_AD_ENABLE = 1ull << 6;

constexpr uint64_t eptp(uint64_t pml4_pa, uint8_t memtype, unsigned levels) {
  return (pml4_pa & EPT_ADDR_MASK) | (uint64_t{levels - 1} << EPTP_WALK_SHIFT) | memtype;
}

static_assert(ept_leaf(0x4000'0000, {true, true, true, EPT_MT_WB}, true) == 0x4000'00f7ull);
static_assert(eptp(0x1000, EPT_MT_WB, 4) == 0x101eull);

}  // namespace tandem::x86_64

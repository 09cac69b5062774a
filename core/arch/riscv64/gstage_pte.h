// SPDX-License-Identifier: Apache-2.0
// RISC-V G-stage (guest-physical) translation, Sv39x4 and Sv48x4: PTEs and the hgatp value.
// Pure constexpr; the CSR write and HFENCE.GVMA are the bare-metal backend's job.
//
// RISC-V privileged spec (20240411), 18.5.1 "Guest Physical Address Translation": Sv39x4 and
// Sv48x4 are Sv39 and Sv48 with the guest-physical address widened by 2 bits (41 and 50
// bits); only the root table grows, to 2048 entries = 16 KiB, and it must be 16 KiB aligned.
// PTEs keep the Sv39/Sv48 format (10.4.1 "Addressing and Memory Protection"):
//
//   63  62 61 60   54 53                                   10 9   8 7 6 5 4 3 2 1 0
//  +---+-----+-------+---------------------------------------+-----+-+-+-+-+-+-+-+-+
//  | N |PBMT | RES0  |              PPN[43:0]                 | RSW |D|A|G|U|X|W|R|V|
//  +---+-----+-------+---------------------------------------+-----+-+-+-+-+-+-+-+-+
//
// R = W = X = 0 makes a valid entry a pointer to the next level; otherwise it is a leaf
// (superpage above the last level). W without R is reserved. For a non-leaf PTE, D, A and U
// must be zero. G-stage specifics (18.5.1): every access is checked as a user-mode access, so
// a leaf without U faults; the G bit is reserved and must be zero. Without Svadu, an access to
// a leaf with A clear (or a store with D clear) raises a guest-page fault, so leaves carry A
// and writable leaves carry D.
#pragma once

#include <cstdint>

namespace tandem::riscv64 {

inline constexpr uint64_t PTE_V = 1ull << 0;
inline constexpr uint64_t PTE_R = 1ull << 1;
inline constexpr uint64_t PTE_W = 1ull << 2;
inline constexpr uint64_t PTE_X = 1ull << 3;
inline constexpr uint64_t PTE_U = 1ull << 4;
inline constexpr uint64_t PTE_G = 1ull << 5;
inline constexpr uint64_t PTE_A = 1ull << 6;
inline constexpr uint64_t PTE_D = 1ull << 7;
// RSW, bits 9:8: reserved for supervisor software, ignored by the walker.
inline constexpr uint64_t PTE_RSW0 = 1ull << 8;
inline constexpr uint64_t PTE_RSW1 = 1ull << 9;
inline constexpr uint64_t PTE_RWX = PTE_R | PTE_W | PTE_X;
inline constexpr unsigned PTE_PPN_SHIFT = 10;
inline constexpr uint64_t PTE_PPN_MASK = 0x003f'ffff'ffff'fc00ull;  // bits 53:10

inline constexpr unsigned kGstageRootEntries = 2048;
inline constexpr unsigned kGstageRootFrames = 4;  // 16 KiB

constexpr uint64_t pte_ppn_bits(uint64_t pa) {
  return ((pa >> 12) << PTE_PPN_SHIFT) & PTE_PPN_MASK;
}
constexpr uint64_t pte_address(uint64_t pte) {
  return ((pte & PTE_PPN_MASK) >> PTE_PPN_SHIFT) << 12;
}

constexpr uint64_t gstage_table_pte(uint64_t table_pa) { return pte_ppn_bits(table_pa) | PTE_V; }

// A leaf at any level (4 KiB page, 2 MiB megapage, 1 GiB gigapage); `pa` aligned to its size.
constexpr uint64_t gstage_leaf_pte(uint64_t pa, bool read, bool write, bool exec) {
  return pte_ppn_bits(pa) | (read ? PTE_R : 0) | (write ? PTE_W | PTE_D : 0) | (exec ? PTE_X : 0) |
         PTE_U | PTE_A | PTE_V;
}

// hgatp for HSXLEN = 64 (18.2.10 "Hypervisor Guest Address Translation and Protection
// Register (hgatp)"):
//   63    60 59 58 57          44 43                           0
//  +--------+-----+--------------+------------------------------+
//  |  MODE  |  0  |   VMID[13:0] |  PPN of the root table       |
//  +--------+-----+--------------+------------------------------+
inline constexpr uint64_t HGATP_MODE_BARE = 0;
inline constexpr uint64_t HGATP_MODE_SV39X4 = 8;
inline constexpr uint64_t HGATP_MODE_SV48X4 = 9;
inline constexpr unsigned HGATP_MODE_SHIFT = 60;
inline constexpr unsigned HGATP_VMID_SHIFT = 44;
inline constexpr uint64_t HGATP_VMID_MAX = 0x3fff;
inline constexpr uint64_t HGATP_PPN_MASK = 0x0000'0fff'ffff'ffffull;

constexpr uint64_t hgatp(uint64_t mode, uint16_t vmid, uint64_t root_pa) {
  return (mode << HGATP_MODE_SHIFT) | ((uint64_t{vmid} & HGATP_VMID_MAX) << HGATP_VMID_SHIFT) |
         ((root_pa >> 12) & HGATP_PPN_MASK);
}

static_assert(gstage_leaf_pte(0x8020'0000, true, true, true) == 0x2008'00dfull);
static_assert(hgatp(HGATP_MODE_SV39X4, 1, 0x8040'0000) == 0x8000'1000'0008'0400ull);

}  // namespace tandem::riscv64

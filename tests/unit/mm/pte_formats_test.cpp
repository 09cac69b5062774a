// SPDX-License-Identifier: Apache-2.0
// Every stage-2 format checked bit by bit against its manual.
#include <gtest/gtest.h>

#include <cstdint>

#include "core/arch/aarch64/stage2_pte.h"
#include "core/arch/riscv64/gstage_pte.h"
#include "core/arch/x86_64/ept_pte.h"

namespace tandem {
namespace {

constexpr uint64_t bits(uint64_t v, unsigned hi, unsigned lo) {
  return (v >> lo) & ((1ull << (hi - lo + 1)) - 1);
}

// Arm ARM DDI 0487 J.a, D8.3 "Translation table descriptor formats" (stage 2, 4 KiB granule).
TEST(Aarch64Stage2, Level2BlockNormalReadWrite) {
  using namespace aarch64;
  const uint64_t d = s2_block_desc(0x4000'0000, {true, true, false, S2_MEMATTR_NORMAL_WB});
  EXPECT_EQ(d, 0x0040'0000'4000'07fdull);
  EXPECT_EQ(bits(d, 1, 0), 0b01u);                 // block
  EXPECT_EQ(bits(d, 5, 2), 0b1111u);               // MemAttr: Normal, Outer WB, Inner WB (D8.6)
  EXPECT_EQ(bits(d, 7, 6), 0b11u);                 // S2AP: read/write (D8.4)
  EXPECT_EQ(bits(d, 9, 8), 0b11u);                 // SH: Inner Shareable
  EXPECT_EQ(bits(d, 10, 10), 1u);                  // AF
  EXPECT_EQ(bits(d, 47, 21), 0x4000'0000u >> 21);  // OA[47:21]
  EXPECT_EQ(bits(d, 54, 53), 0b10u);               // XN: no execution at EL1/EL0
  // The same block executable, as BAREMETAL.md's bring-up uses it.
  EXPECT_EQ(s2_block_desc(0x4000'0000, {true, true, true, S2_MEMATTR_NORMAL_WB}), 0x4000'07fdull);
}

TEST(Aarch64Stage2, PageTableAndDeviceDescriptors) {
  using namespace aarch64;
  // Level 3 page: bits[1:0] = 0b11.
  EXPECT_EQ(s2_page_desc(0x4020'1000, {true, true, true, S2_MEMATTR_NORMAL_WB}), 0x4020'17ffull);
  // Read-only page: S2AP = 0b01.
  EXPECT_EQ(s2_page_desc(0x4020'1000, {true, false, true, S2_MEMATTR_NORMAL_WB}), 0x4020'177full);
  // Device-nGnRE RW page (PL011 window): MemAttr = 0b0001, XN set.
  const uint64_t dev = s2_page_desc(0x0900'0000, {true, true, false, S2_MEMATTR_DEVICE_nGnRE});
  EXPECT_EQ(dev, 0x0040'0000'0900'07c7ull);
  EXPECT_EQ(bits(dev, 5, 2), 0b0001u);
  EXPECT_TRUE(s2_memattr_is_device(s2_leaf_attrs(dev).memattr));
  EXPECT_FALSE(s2_memattr_is_device(S2_MEMATTR_NORMAL_WB));
  // Table descriptor: next-level address | 0b11, nothing else (stage-2 table attributes RES0).
  EXPECT_EQ(s2_table_desc(0x4020'7000), 0x4020'7003ull);
  // Decoding gives back what was encoded.
  const S2LeafAttrs ro{true, false, true, S2_MEMATTR_NORMAL_WB};
  EXPECT_EQ(s2_leaf_attrs(s2_block_desc(0x8000'0000, ro)), ro);
}

// VTCR_EL2 register description. BAREMETAL.md boots with 0x80020060 = RES1 | PS=0b010 (40-bit
// PA) | SL0=1 (start at level 1) | T0SZ=32 (32-bit IPA) and non-cacheable walks, since its
// tables are written with the MMU and caches off. Our default adds IRGN0=ORGN0=0b01 (WBWA)
// and SH0=0b11 (Inner Shareable) = 0x3500, as KVM does, for tables written through the cache.
TEST(Aarch64Stage2, VtcrEl2) {
  using namespace aarch64;
  EXPECT_EQ(vtcr_el2({32, 3, 40, false, false}), 0x8002'0060ull);
  EXPECT_EQ(vtcr_el2({32, 3, 40, true, false}), 0x8002'3560ull);
  // 40-bit IPA, 3 levels: T0SZ=24, SL0=1 with two concatenated level-1 tables.
  EXPECT_EQ(vtcr_el2({40, 3, 40, true, false}), 0x8002'3558ull);
  // 48-bit IPA, 4 levels, 48-bit PA: T0SZ=16, SL0=0b10, PS=0b101.
  EXPECT_EQ(vtcr_el2({48, 4, 48, true, false}), 0x8005'3590ull);
  // 16-bit VMIDs: VS, bit 19.
  EXPECT_EQ(vtcr_el2({40, 3, 40, false, true}), 0x800a'0058ull);
  // Walk lengths the architecture does not allow, and PS values that do not exist.
  EXPECT_FALSE(vtcr_el2({44, 3, 48, true, false}));
  EXPECT_FALSE(vtcr_el2({39, 4, 48, true, false}));
  EXPECT_FALSE(vtcr_el2({31, 3, 40, true, false}));
  EXPECT_FALSE(vtcr_el2({49, 4, 48, true, false}));
  EXPECT_FALSE(vtcr_el2({40, 3, 41, true, false}));
  EXPECT_EQ(s2_root_tables(32, 3), 1u);
  EXPECT_EQ(s2_root_tables(40, 3), 2u);
  EXPECT_EQ(s2_root_tables(43, 3), 16u);
  EXPECT_EQ(s2_root_tables(48, 4), 1u);
}

TEST(Aarch64Stage2, VttbrEl2) {
  using namespace aarch64;
  EXPECT_EQ(vttbr_el2(0x4020'7000, 0), 0x4020'7000ull);  // BAREMETAL.md's value
  EXPECT_EQ(vttbr_el2(0x4020'7000, 5), 0x0005'0000'4020'7000ull);
  EXPECT_EQ(vttbr_el2(0x4020'7000, 0xbeef), 0xbeef'0000'4020'7000ull);
}

// Intel SDM vol. 3C 29.3.2, Table 29-4 "Format of an EPT Page-Directory Entry (PDE) that Maps
// a 2-MByte Page", Table 29-2 (1 GiB PDPTE), Table 29-6 (4 KiB PTE).
TEST(Ept, LeafEntries) {
  using namespace x86_64;
  const uint64_t pde = ept_leaf(0x4020'0000, {true, true, true, EPT_MT_WB}, true);
  EXPECT_EQ(pde, 0x4020'00f7ull);
  EXPECT_EQ(bits(pde, 2, 0), 0b111u);  // R W X
  EXPECT_EQ(bits(pde, 5, 3), 6u);      // memory type WB
  EXPECT_EQ(bits(pde, 6, 6), 1u);      // ignore PAT
  EXPECT_EQ(bits(pde, 7, 7), 1u);      // maps a 2 MiB page
  EXPECT_EQ(bits(pde, 9, 8), 0u);      // accessed/dirty left to the CPU (when enabled)
  EXPECT_EQ(bits(pde, 51, 21), 0x4020'0000u >> 21);
  // 1 GiB read-only page.
  EXPECT_EQ(ept_leaf(0x4000'0000, {true, false, false, EPT_MT_WB}, true), 0x4000'00f1ull);
  // 4 KiB uncached RW page (bit 7 is ignored in a PTE and left 0).
  EXPECT_EQ(ept_leaf(0xfee0'0000, {true, true, false, EPT_MT_UC}, false), 0xfee0'0043ull);
  EXPECT_EQ(ept_leaf_attrs(0xfee0'0043ull), (EptLeafAttrs{true, true, false, EPT_MT_UC}));
  EXPECT_EQ(EPT_ACCESSED, 1ull << 8);
  EXPECT_EQ(EPT_DIRTY, 1ull << 9);
}

TEST(Ept, TableEntryAndEptp) {
  using namespace x86_64;
  // Tables (Tables 29-1, 29-3, 29-5): RWX in bits 2:0, bits 7:3 zero.
  EXPECT_EQ(ept_table_entry(0x1234'5000), 0x1234'5007ull);
  // EPTP (25.6.11): memory type WB (6) in 2:0, walk length 4 - 1 = 3 in 5:3, A/D off.
  EXPECT_EQ(eptp(0x0010'2000, EPT_MT_WB, 4), 0x0010'201eull);
  EXPECT_EQ(eptp(0x0010'2000, EPT_MT_UC, 4), 0x0010'2018ull);
  EXPECT_EQ(EPTP_AD_ENABLE, 0x40u);
}

// RISC-V priv spec (20240411) 18.5.1 "Guest Physical Address Translation" and the Sv39 PTE
// format (10.4.1): V R W X U G A D in bits 0..7, PPN in 53:10.
TEST(GstageSv39x4, LeafHasUserBit) {
  using namespace riscv64;
  const uint64_t pte = gstage_leaf_pte(0x8020'0000, true, true, true);
  EXPECT_EQ(pte, 0x2008'00dfull);
  EXPECT_EQ(bits(pte, 0, 0), 1u);          // V
  EXPECT_EQ(bits(pte, 3, 1), 0b111u);      // R W X
  EXPECT_EQ(bits(pte, 4, 4), 1u);          // U: G-stage accesses are user-level
  EXPECT_EQ(bits(pte, 5, 5), 0u);          // G reserved in G-stage PTEs
  EXPECT_EQ(bits(pte, 7, 6), 0b11u);       // A, D preset (no Svadu)
  EXPECT_EQ(bits(pte, 53, 10), 0x80200u);  // PPN
  // Read-only leaf: no W, no D.
  EXPECT_EQ(gstage_leaf_pte(0x8020'0000, true, false, false), 0x2008'0053ull);
  EXPECT_EQ(pte_address(pte), 0x8020'0000ull);
}

TEST(GstageSv39x4, NonLeafAndHgatp) {
  using namespace riscv64;
  // Non-leaf: V only; R=W=X=0 marks a pointer, and D, A, U must be zero.
  const uint64_t t = gstage_table_pte(0x8040'3000);
  EXPECT_EQ(t, 0x2010'0c01ull);
  EXPECT_EQ(bits(t, 7, 1), 0u);
  // hgatp (18.2.10): MODE 8 = Sv39x4, 9 = Sv48x4, VMID in 57:44, PPN in 43:0.
  EXPECT_EQ(hgatp(HGATP_MODE_SV39X4, 1, 0x8040'0000), 0x8000'1000'0008'0400ull);
  EXPECT_EQ(hgatp(HGATP_MODE_SV48X4, 0, 0x8040'0000), 0x9000'0000'0008'0400ull);
  EXPECT_EQ(hgatp(HGATP_MODE_SV39X4, 0x3fff, 0), 0x83ff'f000'0000'0000ull);
  EXPECT_EQ(kGstageRootEntries * 8u, 16384u);
}

}  // namespace
}  // namespace tandem

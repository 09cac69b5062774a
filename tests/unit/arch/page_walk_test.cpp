// SPDX-License-Identifier: Apache-2.0
// The guests' own page-table walkers (core/arch/*/..._walk.h) against descriptors built bit by
// bit from the manuals: Arm ARM DDI 0487 D8.3 (VMSAv8-64 descriptors), Intel SDM vol.3A 4.5
// (IA-32e paging), RISC-V privileged spec 10.3 (Sv39/Sv48).
#include <gtest/gtest.h>

#include <cstdint>
#include <map>

#include "core/arch/aarch64/stage1_walk.h"
#include "core/arch/riscv64/sv_walk.h"
#include "core/arch/x86_64/page_walk.h"

namespace tandem {
namespace {

// Guest RAM as sparse 8-byte words; a read of an absent word fails like a read outside RAM.
struct FakeTables {
  std::map<uint64_t, uint64_t> words;
  TableReader reader() {
    return {[](void* ctx, uint64_t pa, uint64_t& v) {
              auto& w = static_cast<FakeTables*>(ctx)->words;
              auto it = w.find(pa);
              if (it == w.end()) return false;
              v = it->second;
              return true;
            },
            this};
  }
};

// --- aarch64 -------------------------------------------------------------------------------
// TCR_EL1: T0SZ=16 T1SZ=16 (48-bit ranges), TG0=0b00 (4K), TG1=0b10 (4K).
constexpr uint64_t kTcr4K48 = 16 | (uint64_t{16} << 16) | (uint64_t{2} << 30);
constexpr uint64_t kTable = 3;  // bits[1:0] = 0b11 at levels 0-2
constexpr uint64_t kPage = 3;   // bits[1:0] = 0b11 at level 3
constexpr uint64_t kBlock = 1;  // bits[1:0] = 0b01
constexpr uint64_t kAf = 1u << 10;

TEST(Aarch64Stage1, MmuOffIsIdentity) {
  FakeTables t;
  aarch64::Stage1Regs r;
  EXPECT_EQ(aarch64::stage1_translate(r, 0x1234'5678, t.reader()), 0x1234'5678u);
}

TEST(Aarch64Stage1, FourLevelPageAndTwoMegabyteBlock) {
  FakeTables t;
  // va 0x0000'0080'4020'3abc: L0 index 1 (bits 47:39), L1 1, L2 2, L3 3.
  const uint64_t va =
      (uint64_t{1} << 39) | (uint64_t{1} << 30) | (uint64_t{2} << 21) | (uint64_t{3} << 12) | 0xabc;
  t.words[0x1000 + 1 * 8] = 0x2000 | kTable;
  t.words[0x2000 + 1 * 8] = 0x3000 | kTable;
  t.words[0x3000 + 2 * 8] = 0x4000 | kTable;
  t.words[0x4000 + 3 * 8] = 0x8765'4000 | kAf | kPage;
  aarch64::Stage1Regs r{1, kTcr4K48, 0x1000, 0};
  EXPECT_EQ(aarch64::stage1_translate(r, va, t.reader()), 0x8765'4abcu);
  // The same L2 entry as a 2 MiB block: bits [47:21] are the output, [20:0] come from the VA.
  t.words[0x3000 + 2 * 8] = 0x4060'0000 | kAf | kBlock;
  EXPECT_EQ(aarch64::stage1_translate(r, va, t.reader()), 0x4060'0000u | (3u << 12) | 0xabc);
  // Invalid (bit 0 clear) and a block at level 3's encoding (0b01 there is reserved).
  t.words[0x3000 + 2 * 8] = 0x4000 | kTable;
  t.words[0x4000 + 3 * 8] = 0x8765'4000 | kBlock;
  EXPECT_EQ(aarch64::stage1_translate(r, va, t.reader()), std::nullopt);
  t.words[0x4000 + 3 * 8] = 0;
  EXPECT_EQ(aarch64::stage1_translate(r, va, t.reader()), std::nullopt);
}

TEST(Aarch64Stage1, UpperRangeUsesTtbr1AndTopByteIgnore) {
  FakeTables t;
  // A 39-bit upper range (T1SZ = 25): walk starts at level 1 (D8.2.4 table D8-8).
  const uint64_t tcr = 16 | (uint64_t{25} << 16) | (uint64_t{2} << 30);
  const uint64_t va = 0xffff'ffc0'0020'1008;  // L1 index 256 (bit 38 set), L2 1, L3 1
  t.words[0x5000 + 256 * 8] = 0x6000 | kTable;
  t.words[0x6000 + 8] = 0x7000 | kTable;
  t.words[0x7000 + 8] = 0x4123'4000 | kAf | kPage;
  aarch64::Stage1Regs r{1, tcr, 0, 0x5000};
  EXPECT_EQ(aarch64::stage1_translate(r, va, t.reader()), 0x4123'4008u);
  // Bits above the 39-bit range must all be 1 for TTBR1.
  EXPECT_EQ(aarch64::stage1_translate(r, va & ~(uint64_t{1} << 45), t.reader()), std::nullopt);
  // With TBI1 (bit 38) the top byte may hold a tag.
  EXPECT_EQ(aarch64::stage1_translate(r, (va & ~(uint64_t{0xff} << 56)) | (uint64_t{0x5a} << 56),
                                      t.reader()),
            std::nullopt);
  r.tcr_el1 |= uint64_t{1} << 38;
  EXPECT_EQ(aarch64::stage1_translate(r, (va & ~(uint64_t{0xff} << 56)) | (uint64_t{0xa5} << 56),
                                      t.reader()),
            0x4123'4008u);
  // EPD1 (bit 23): no walk of the upper range.
  r.tcr_el1 |= uint64_t{1} << 23;
  EXPECT_EQ(aarch64::stage1_translate(r, va, t.reader()), std::nullopt);
}

TEST(Aarch64Stage1, SixtyFourKilobyteGranule) {
  FakeTables t;
  // TG0 = 0b01 (64 KiB), T0SZ = 22 (42 bits): two levels, L2 (bits 41:29) and L3 (28:16).
  const uint64_t tcr = 22 | (uint64_t{1} << 14);
  const uint64_t va = (uint64_t{5} << 29) | (uint64_t{7} << 16) | 0xfedc;
  t.words[0x10000 + 5 * 8] = 0x20000 | kTable;
  t.words[0x20000 + 7 * 8] = 0x4567'0000 | kAf | kPage;
  aarch64::Stage1Regs r{1, tcr, 0x10000, 0};
  EXPECT_EQ(aarch64::stage1_translate(r, va, t.reader()), 0x4567'fedcu);
}

// --- x86_64 --------------------------------------------------------------------------------
constexpr uint64_t kP = 1, kRw = 2, kPs = 1u << 7;
constexpr uint64_t kPg = uint64_t{1} << 31, kPae = 1u << 5;

TEST(X86Paging, FourLevelWith4KAnd2MAnd1GPages) {
  FakeTables t;
  const uint64_t la = 0xffff'8000'4060'3123;  // PML4 256, PDPT 1, PD 3, PT 3
  t.words[0x1000 + 256 * 8] = 0x2000 | kP | kRw;
  t.words[0x2000 + 1 * 8] = 0x3000 | kP | kRw;
  t.words[0x3000 + 3 * 8] = 0x4000 | kP | kRw;
  t.words[0x4000 + 3 * 8] = 0x0123'4000 | kP;
  x86_64::PagingRegs r{kPg, 0x1000, kPae};
  EXPECT_EQ(x86_64::translate(r, la, t.reader()), 0x0123'4123u);
  t.words[0x3000 + 3 * 8] = 0x0a00'0000 | kP | kPs;  // 2 MiB page
  EXPECT_EQ(x86_64::translate(r, la, t.reader()), 0x0a00'0000u | 0x3123);
  t.words[0x2000 + 1 * 8] = 0x8000'0000 | kP | kPs;  // 1 GiB page
  EXPECT_EQ(x86_64::translate(r, la, t.reader()), 0x8000'0000u | 0x0060'3123);
  // PS in a PML4E is reserved: no translation.
  t.words[0x1000 + 256 * 8] = 0x2000 | kP | kPs;
  EXPECT_EQ(x86_64::translate(r, la, t.reader()), std::nullopt);
  // Not present; non-canonical.
  t.words[0x1000 + 256 * 8] = 0x2000 | kRw;
  EXPECT_EQ(x86_64::translate(r, la, t.reader()), std::nullopt);
  EXPECT_EQ(x86_64::translate(r, 0x0000'8000'0000'0000, t.reader()), std::nullopt);
}

TEST(X86Paging, PagingOffIsIdentityAndCr3LowBitsAreIgnored) {
  FakeTables t;
  EXPECT_EQ(x86_64::translate({}, 0xdead'b000, t.reader()), 0xdead'b000u);
  t.words[0x1000] = 0x2000 | kP;
  t.words[0x2000] = 0x3000 | kP;
  t.words[0x3000] = 0x5000 | kP;
  t.words[0x5000 + 8] = 0x7000 | kP;
  // CR3 bits [11:0] hold PCID / PWT / PCD, not address bits.
  x86_64::PagingRegs r{kPg, 0x1000 | 0x18, kPae};
  EXPECT_EQ(x86_64::translate(r, 0x1042, t.reader()), 0x7042u);
}

// --- riscv64 -------------------------------------------------------------------------------
constexpr uint64_t kV = 1, kR = 2, kW = 4, kX = 8;
constexpr uint64_t kSv39 = uint64_t{8} << 60;

uint64_t pte(uint64_t pa, uint64_t bits) { return ((pa >> 12) << 10) | bits; }

TEST(RiscvSv39, LeafPermissionsAndMegapages) {
  FakeTables t;
  const uint64_t va = 0xffff'ffc0'8020'1abc;  // VPN2 258, VPN1 1, VPN0 1
  t.words[0x8000'0000 + 258 * 8] = pte(0x8000'1000, kV);
  t.words[0x8000'1000 + 1 * 8] = pte(0x8000'2000, kV);
  t.words[0x8000'2000 + 1 * 8] = pte(0x8765'4000, kV | kR | kW);
  const uint64_t satp = kSv39 | (0x8000'0000 >> 12);
  const auto any = riscv64::SvAccess::kAny, fetch = riscv64::SvAccess::kFetch;
  EXPECT_EQ(riscv64::sv_translate(satp, va, any, t.reader()), 0x8765'4abcu);
  // Data-only leaf: not for a fetch.
  EXPECT_EQ(riscv64::sv_translate(satp, va, fetch, t.reader()), std::nullopt);
  // W without R is reserved.
  t.words[0x8000'2000 + 8] = pte(0x8765'4000, kV | kW);
  EXPECT_EQ(riscv64::sv_translate(satp, va, any, t.reader()), std::nullopt);
  // A 2 MiB megapage at level 1 (its PPN[0] must be 0).
  t.words[0x8000'1000 + 8] = pte(0x8060'0000, kV | kR | kX);
  EXPECT_EQ(riscv64::sv_translate(satp, va, fetch, t.reader()), 0x8060'0000u | 0x1abc);
  t.words[0x8000'1000 + 8] = pte(0x8060'1000, kV | kR | kX);  // misaligned
  EXPECT_EQ(riscv64::sv_translate(satp, va, any, t.reader()), std::nullopt);
  // Bits 63:39 must copy bit 38.
  EXPECT_EQ(riscv64::sv_translate(satp, va & ~(uint64_t{1} << 50), any, t.reader()), std::nullopt);
  EXPECT_EQ(riscv64::sv_translate(0, 0x1234, any, t.reader()), 0x1234u);  // Bare
}

}  // namespace
}  // namespace tandem

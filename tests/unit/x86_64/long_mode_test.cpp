// SPDX-License-Identifier: Apache-2.0
// The long-mode entry state, checked byte by byte against Intel SDM vol.3: segment descriptor
// layout (3.4.5, figure 3-8), 4-level paging entries (4.5, tables 4-15/4-17/4-18) and the
// IA-32e initialisation sequence (9.8.5).
#include "core/arch/x86_64/long_mode.h"

#include <gtest/gtest.h>

#include <vector>

namespace tandem::x86 {
namespace {

constexpr uint64_t kRamBase = 0x0;
constexpr uint64_t kTables = 0x9000;

uint64_t load64(const std::vector<uint8_t>& ram, uint64_t gpa) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | ram[gpa - kRamBase + i];
  return v;
}

// The fields of a code/data segment descriptor, decoded per SDM vol.3 figure 3-8.
struct Descriptor {
  uint64_t base;
  uint32_t limit;
  unsigned type, s, dpl, p, avl, l, db, g;
};

Descriptor decode(uint64_t d) {
  return Descriptor{
      ((d >> 16) & 0xffffff) | (((d >> 56) & 0xff) << 24),
      static_cast<uint32_t>((d & 0xffff) | (((d >> 48) & 0xf) << 16)),
      static_cast<unsigned>((d >> 40) & 0xf),
      static_cast<unsigned>((d >> 44) & 1),
      static_cast<unsigned>((d >> 45) & 3),
      static_cast<unsigned>((d >> 47) & 1),
      static_cast<unsigned>((d >> 52) & 1),
      static_cast<unsigned>((d >> 53) & 1),
      static_cast<unsigned>((d >> 54) & 1),
      static_cast<unsigned>((d >> 55) & 1),
  };
}

// A 4-level walk (SDM vol.3 4.5) over the tables in `ram`; returns ~0 where not present.
uint64_t translate(const std::vector<uint8_t>& ram, uint64_t cr3, uint64_t va) {
  constexpr uint64_t kAddr = 0x000ffffffffff000ull;
  uint64_t pml4e = load64(ram, (cr3 & kAddr) + ((va >> 39) & 511) * 8);
  if ((pml4e & PTE_P) == 0) return ~0ull;
  uint64_t pdpte = load64(ram, (pml4e & kAddr) + ((va >> 30) & 511) * 8);
  if ((pdpte & PTE_P) == 0) return ~0ull;
  EXPECT_EQ(pdpte & PTE_PS, 0u);  // no 1 GiB pages
  uint64_t pde = load64(ram, (pdpte & kAddr) + ((va >> 21) & 511) * 8);
  if ((pde & PTE_P) == 0) return ~0ull;
  EXPECT_EQ(pde & PTE_PS, PTE_PS);  // 2 MiB page
  EXPECT_EQ(pde & PTE_RW, PTE_RW);
  return (pde & 0x000fffffffe00000ull) | (va & 0x1fffff);
}

class LongMode : public ::testing::Test {
 protected:
  void SetUp() override {
    m_ram.assign(0x20000, 0xcc);  // garbage the builder must overwrite
    Result<X86LongModeState> r = build_long_mode(m_ram, Gpa(kRamBase), Gpa(kTables));
    ASSERT_TRUE(r.ok());
    m_state = *r;
  }
  std::vector<uint8_t> m_ram;
  X86LongModeState m_state;
};

TEST_F(LongMode, ControlRegistersFollowSdm985) {
  // CR4.PAE, CR3 = PML4, EFER.LME, CR0.PG (which makes EFER.LMA read 1), protected mode on.
  EXPECT_EQ(m_state.cr4 & CR4_PAE, CR4_PAE);
  EXPECT_EQ(m_state.cr3, kTables + 0x1000);
  EXPECT_EQ(m_state.efer, EFER_LME | EFER_LMA);
  EXPECT_EQ(m_state.cr0 & (CR0_PE | CR0_PG), CR0_PE | CR0_PG);
  EXPECT_EQ(m_state.cr0, 0x80000033u);  // PG | NE | ET | MP | PE
  EXPECT_EQ(m_state.cr4, 0x620u);       // OSXMMEXCPT | OSFXSR | PAE
  EXPECT_EQ(m_state.rflags, 0x2u);      // reserved bit 1; IF clear
}

TEST_F(LongMode, GdtHoldsNullCode64AndData) {
  EXPECT_EQ(m_state.gdt_base, kTables);
  EXPECT_EQ(m_state.gdt_limit, 23);
  EXPECT_EQ(load64(m_ram, kTables), 0u);
  EXPECT_EQ(load64(m_ram, kTables + kCodeSelector), kGdtCode64);
  EXPECT_EQ(load64(m_ram, kTables + kDataSelector), kGdtData);

  Descriptor code = decode(kGdtCode64);
  EXPECT_EQ(code.base, 0u);
  EXPECT_EQ(code.limit, 0xfffffu);
  EXPECT_EQ(code.type, 0xbu);  // execute/read, accessed
  EXPECT_EQ(code.s, 1u);
  EXPECT_EQ(code.dpl, 0u);
  EXPECT_EQ(code.p, 1u);
  EXPECT_EQ(code.l, 1u);   // 64-bit code
  EXPECT_EQ(code.db, 0u);  // L=1 requires D=0 (SDM vol.3 5.2.1)
  EXPECT_EQ(code.g, 1u);

  Descriptor data = decode(kGdtData);
  EXPECT_EQ(data.base, 0u);
  EXPECT_EQ(data.limit, 0xfffffu);
  EXPECT_EQ(data.type, 0x3u);  // read/write, accessed
  EXPECT_EQ(data.s, 1u);
  EXPECT_EQ(data.p, 1u);
  EXPECT_EQ(data.l, 0u);
  EXPECT_EQ(data.db, 1u);
  EXPECT_EQ(data.g, 1u);
}

TEST_F(LongMode, SegmentStateMatchesTheDescriptors) {
  for (auto [seg, raw, sel] : {std::tuple{m_state.cs, kGdtCode64, kCodeSelector},
                               std::tuple{m_state.ds, kGdtData, kDataSelector}}) {
    Descriptor d = decode(raw);
    EXPECT_EQ(seg.selector, sel);
    EXPECT_EQ(seg.base, d.base);
    EXPECT_EQ(seg.limit, 0xffffffffu);  // limit scaled by G=1, as KVM's kvm_segment holds it
    EXPECT_EQ(seg.type, d.type);
    EXPECT_EQ(seg.present, d.p == 1);
    EXPECT_EQ(seg.dpl0, d.dpl == 0);
    EXPECT_EQ(seg.s, d.s == 1);
    EXPECT_EQ(seg.l, d.l == 1);
    EXPECT_EQ(seg.db, d.db == 1);
    EXPECT_EQ(seg.g, d.g == 1);
  }
}

TEST_F(LongMode, PageTableEntries) {
  // PML4[0] -> PDPT, the rest not present.
  EXPECT_EQ(load64(m_ram, kTables + 0x1000), (kTables + 0x2000) | PTE_P | PTE_RW);
  for (uint64_t i = 1; i < 512; ++i) ASSERT_EQ(load64(m_ram, kTables + 0x1000 + i * 8), 0u) << i;
  // PDPT[0..3] -> PD0..PD3.
  for (uint64_t i = 0; i < 4; ++i) {
    EXPECT_EQ(load64(m_ram, kTables + 0x2000 + i * 8), (kTables + 0x3000 + i * 0x1000) | 0x3);
  }
  for (uint64_t i = 4; i < 512; ++i) ASSERT_EQ(load64(m_ram, kTables + 0x2000 + i * 8), 0u) << i;
  // PD entries: P | RW | PS, 2 MiB frames in order.
  EXPECT_EQ(load64(m_ram, kTables + 0x3000), 0x83u);
  EXPECT_EQ(load64(m_ram, kTables + 0x3008), 0x200083u);
  EXPECT_EQ(load64(m_ram, kTables + 0x6ff8), 0xffe00083u);
}

TEST_F(LongMode, IdentityMapsTheFirstFourGiB) {
  const uint64_t vas[] = {0x0, 0x1234, kTables, 0x12345678, 0x80000000, 0xfee00000, 0xffffffff};
  for (uint64_t va : vas) {
    EXPECT_EQ(translate(m_ram, m_state.cr3, va), va) << std::hex << va;
  }
  EXPECT_EQ(translate(m_ram, m_state.cr3, 0x100000000ull), ~0ull);
}

TEST(LongModeArgs, RefusesMisplacedTables) {
  std::vector<uint8_t> ram(0x10000);
  EXPECT_EQ(build_long_mode(ram, Gpa(0), Gpa(0x1800)).error(), Status::kUnaligned);
  EXPECT_EQ(build_long_mode(ram, Gpa(0), Gpa(0xa000)).error(), Status::kOutOfRange);
  EXPECT_EQ(build_long_mode(ram, Gpa(0x100000), Gpa(0x1000)).error(), Status::kOutOfRange);
  EXPECT_EQ(build_long_mode(ram, Gpa(0x100000), Gpa(0x200000)).error(), Status::kOutOfRange);
  EXPECT_TRUE(build_long_mode(ram, Gpa(0x100000), Gpa(0x109000)).ok());
}

}  // namespace
}  // namespace tandem::x86

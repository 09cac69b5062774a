// SPDX-License-Identifier: Apache-2.0
// core/arch/x86_64/protected_mode.h against Multiboot 0.6.96 3.2 and Intel SDM vol.3 3.4.5.
#include "core/arch/x86_64/protected_mode.h"

#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "core/arch/x86_64/long_mode.h"

namespace tandem::x86 {
namespace {

uint64_t descriptor(const std::vector<uint8_t>& ram, size_t off) {
  uint64_t d;
  std::memcpy(&d, ram.data() + off, 8);
  return d;
}

TEST(ProtectedMode, FlatGdtInRamAndTheSpecsRegisterState) {
  std::vector<uint8_t> ram(0x10000, 0xcc);
  auto st = build_protected_mode(ram, Gpa(0), Gpa(0x8000));
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(descriptor(ram, 0x8000), 0u);
  // Code: base 0, limit 0xfffff, G=1, D=1, L=0, P=1, DPL 0, S=1, type 0xb.
  EXPECT_EQ(descriptor(ram, 0x8008), 0x00cf9b000000ffffull);
  EXPECT_EQ(descriptor(ram, 0x8010), 0x00cf93000000ffffull);
  EXPECT_EQ(ram[0x8018], 0xcc);  // nothing beyond the three descriptors

  EXPECT_EQ(st->cr0 & CR0_PE, CR0_PE);
  EXPECT_EQ(st->cr0 & CR0_PG, 0u);
  EXPECT_EQ(st->efer, 0u);
  EXPECT_EQ(st->cr4, 0u);
  EXPECT_EQ(st->rflags & (1u << 9), 0u);   // IF clear
  EXPECT_EQ(st->rflags & (1u << 17), 0u);  // VM clear
  EXPECT_EQ(st->gdt_base, 0x8000u);
  EXPECT_EQ(st->gdt_limit, 23u);
  for (const X86Segment* s : {&st->cs, &st->ds}) {
    EXPECT_EQ(s->base, 0u);
    EXPECT_EQ(s->limit, 0xffffffffu);
    EXPECT_TRUE(s->present && s->g && s->db && s->s && s->dpl0);
    EXPECT_FALSE(s->l);
  }
  EXPECT_EQ(st->cs.selector, kCodeSelector);
  EXPECT_EQ(st->cs.type, 0xb);
  EXPECT_EQ(st->ds.selector, kDataSelector);
  EXPECT_EQ(st->ds.type, 0x3);
}

TEST(ProtectedMode, RefusesAGdtThatDoesNotFit) {
  std::vector<uint8_t> ram(0x1000);
  EXPECT_EQ(build_protected_mode(ram, Gpa(0), Gpa(0x804)).error(), Status::kUnaligned);
  EXPECT_EQ(build_protected_mode(ram, Gpa(0), Gpa(0xff0)).error(), Status::kOutOfRange);
  EXPECT_EQ(build_protected_mode(ram, Gpa(0x2000), Gpa(0x1000)).error(), Status::kOutOfRange);
  EXPECT_EQ(build_protected_mode(ram, Gpa(1ull << 32), Gpa(1ull << 32)).error(),
            Status::kOutOfRange);
}

}  // namespace
}  // namespace tandem::x86

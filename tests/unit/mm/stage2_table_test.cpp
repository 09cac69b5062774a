// SPDX-License-Identifier: Apache-2.0
#include "core/mm/stage2_table.h"

#include <gtest/gtest.h>

#include <utility>

#include "backends/hosted/host_paging.h"
#include "core/arch/aarch64/stage2_pte.h"
#include "core/arch/riscv64/gstage_pte.h"
#include "core/arch/x86_64/ept_pte.h"
#include "core/hal.h"
#include "stage2_model.h"
#include "test_frame_allocator.h"

namespace tandem::test {
namespace {

const uint64_t* raw_entries(const FrameAllocator& alloc, Hpa table) {
  return to_ptr<const uint64_t>(alloc.phys_to_virt(table));
}

TEST(Stage2Table, RootsAndHardwareValues) {
  TestFrameAllocator alloc;
  {
    // Two concatenated level-1 tables for a 40-bit IPA, aligned to their 8 KiB size.
    auto a = Stage2Table::create(alloc, Stage2Config::aarch64(40, 3, 40));
    ASSERT_TRUE(a.ok());
    EXPECT_EQ(alloc.in_use(), 2u);
    EXPECT_EQ(a->root().raw() % 8192, 0u);
    EXPECT_EQ(a->hw_root(), a->root().raw());
    EXPECT_EQ(a->hw_control(), 0x8002'3558u);
    EXPECT_EQ(a->ipa_limit(), 1ull << 40);
  }
  {
    Stage2Config c = Stage2Config::aarch64(32, 3, 40);
    c.cacheable_walks = false;
    c.vmid = 3;
    auto a = Stage2Table::create(alloc, c);
    ASSERT_TRUE(a.ok());
    EXPECT_EQ(a->hw_control(), 0x8002'0060u);  // BAREMETAL.md's VTCR_EL2
    EXPECT_EQ(a->hw_root(), (3ull << 48) | a->root().raw());
  }
  {
    Stage2Config c = Stage2Config::of(Stage2Format::kSv39x4);
    c.vmid = 7;
    auto r = Stage2Table::create(alloc, c);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->root().raw() % 16384, 0u);  // 16 KiB root, 16 KiB aligned
    EXPECT_EQ(r->hw_root(), riscv64::hgatp(riscv64::HGATP_MODE_SV39X4, 7, r->root().raw()));
    EXPECT_EQ(r->hw_root() >> 60, 8u);
    EXPECT_EQ(r->ipa_limit(), 1ull << 41);
  }
  {
    auto e = Stage2Table::create(alloc, Stage2Config::of(Stage2Format::kEpt));
    ASSERT_TRUE(e.ok());
    EXPECT_EQ(e->hw_root(), e->root().raw() | 0x1e);
    EXPECT_EQ(e->hw_control(), 0u);
  }
  EXPECT_EQ(alloc.in_use(), 0u);
}

TEST(Stage2Table, RejectsBadConfigs) {
  TestFrameAllocator alloc;
  auto bad = [&](Stage2Config c) { return Stage2Table::create(alloc, c).error(); };
  EXPECT_EQ(bad(Stage2Config::aarch64(44, 3, 48)), Status::kInvalidArgument);
  EXPECT_EQ(bad(Stage2Config::aarch64(36, 4, 48)), Status::kInvalidArgument);
  EXPECT_EQ(bad(Stage2Config::aarch64(44, 4, 40)), Status::kInvalidArgument);  // PA < IPA
  Stage2Config ept = Stage2Config::of(Stage2Format::kEpt);
  ept.vmid = 1;
  EXPECT_EQ(bad(ept), Status::kInvalidArgument);
  Stage2Config rv = Stage2Config::of(Stage2Format::kSv48x4);
  rv.vmid = 0x4000;
  EXPECT_EQ(bad(rv), Status::kInvalidArgument);
  EXPECT_EQ(alloc.allocated(), 0u);
}

// The entries a map writes are the manuals' encodings, at the level the block size implies.
TEST(Stage2Table, WritesExactEntries) {
  TestFrameAllocator alloc;
  auto a = Stage2Table::create(alloc, Stage2Config::aarch64(40, 3, 40));
  ASSERT_TRUE(a.ok());
  ASSERT_TRUE(a->map(Gpa(0x4000'0000), Hpa(0x1'4000'0000), kPageSize1G, kMemRw).ok());
  // Level-1 index 1 of the root: a 1 GiB block.
  EXPECT_EQ(raw_entries(alloc, a->root())[1], 0x0040'0001'4000'07fdull);
  ASSERT_TRUE(a->map(Gpa(0x8000'0000), Hpa(0x1'8020'0000), kPageSize2M, kMemRwx).ok());
  const uint64_t l1 = raw_entries(alloc, a->root())[2];
  EXPECT_EQ(l1 & 3, 3u);  // table
  EXPECT_EQ(raw_entries(alloc, Hpa(l1 & aarch64::S2_OA_MASK))[0], 0x1'8020'07fdull);

  auto r = Stage2Table::create(alloc, Stage2Config::of(Stage2Format::kSv39x4));
  ASSERT_TRUE(r.ok());
  // GPA 0x1_8000_0000 (6 GiB) is root index 6; a gigapage with U set.
  ASSERT_TRUE(r->map(Gpa(0x1'8000'0000), Hpa(0x8000'0000), kPageSize1G, kMemRwx).ok());
  EXPECT_EQ(raw_entries(alloc, r->root())[6], riscv64::gstage_leaf_pte(0x8000'0000, 1, 1, 1));
  EXPECT_NE(raw_entries(alloc, r->root())[6] & riscv64::PTE_U, 0u);

  auto e = Stage2Table::create(alloc, Stage2Config::of(Stage2Format::kEpt));
  ASSERT_TRUE(e.ok());
  ASSERT_TRUE(e->map(Gpa(0x20'0000), Hpa(0x4020'0000), kPageSize2M, kMemRwx).ok());
  const uint64_t pml4e = raw_entries(alloc, e->root())[0];
  const uint64_t pdpte = raw_entries(alloc, Hpa(pml4e & x86_64::EPT_ADDR_MASK))[0];
  EXPECT_EQ(pml4e & 0xff, 7u);
  EXPECT_EQ(raw_entries(alloc, Hpa(pdpte & x86_64::EPT_ADDR_MASK))[1], 0x4020'00f7ull);
}

class Stage2Formats : public ::testing::TestWithParam<FormatCase> {};

TEST_P(Stage2Formats, BlocksWhereAlignedPagesElsewhere) {
  TestFrameAllocator alloc;
  auto t = Stage2Table::create(alloc, GetParam().config);
  ASSERT_TRUE(t.ok());
  const bool has_1g = GetParam().config.allow_1g_blocks;
  // 1 GiB + 2 MiB + 4 KiB from a 1 GiB aligned pair: one of each leaf size.
  ASSERT_TRUE(
      t->map(Gpa(kPageSize1G), Hpa(kHpaBase), kPageSize1G + kPageSize2M + 4096, kMemRw).ok());
  EXPECT_EQ(t->translate(Gpa(kPageSize1G + 5))->page_size, has_1g ? kPageSize1G : kPageSize2M);
  EXPECT_EQ(t->translate(Gpa(2 * kPageSize1G))->page_size, kPageSize2M);
  EXPECT_EQ(t->translate(Gpa(2 * kPageSize1G + kPageSize2M))->page_size, kPageSize4K);
  EXPECT_EQ(t->translate(Gpa(2 * kPageSize1G + kPageSize2M + 4095))->hpa.raw(),
            kHpaBase + kPageSize1G + kPageSize2M + 4095);
  EXPECT_EQ(t->translate(Gpa(2 * kPageSize1G + kPageSize2M + 4096)).error(), Status::kNotMapped);
  // 2 MiB aligned guest address but output only 4 KiB aligned: pages only.
  ASSERT_TRUE(t->map(Gpa(3 * kPageSize1G), Hpa(kHpaBase + 4096), kPageSize2M, kMemRo).ok());
  EXPECT_EQ(t->translate(Gpa(3 * kPageSize1G + kPageSize2M - 1))->page_size, kPageSize4K);
  EXPECT_EQ(t->translate(Gpa(3 * kPageSize1G))->flags, kMemRo);
}

TEST_P(Stage2Formats, RefusesOverlapsAndBadArguments) {
  TestFrameAllocator alloc;
  auto t = Stage2Table::create(alloc, GetParam().config);
  ASSERT_TRUE(t.ok());
  ASSERT_TRUE(t->map(Gpa(0x20'0000), Hpa(kHpaBase), kPageSize2M, kMemRw).ok());
  const size_t frames = alloc.in_use();
  // One page of overlap at either edge, or a range around the block.
  EXPECT_EQ(t->map(Gpa(0x1f'f000), Hpa(kHpaBase), 0x2000, kMemRw).error(), Status::kAlreadyMapped);
  EXPECT_EQ(t->map(Gpa(0x3f'f000), Hpa(kHpaBase), 0x2000, kMemRw).error(), Status::kAlreadyMapped);
  EXPECT_EQ(t->map(Gpa(0), Hpa(kHpaBase), 0x60'0000, kMemRw).error(), Status::kAlreadyMapped);
  EXPECT_EQ(alloc.in_use(), frames);
  EXPECT_EQ(t->translate(Gpa(0x1f'f000)).error(), Status::kNotMapped);
  EXPECT_EQ(t->translate(Gpa(0x40'0000)).error(), Status::kNotMapped);
  // Touching edges are fine.
  EXPECT_TRUE(t->map(Gpa(0x1f'f000), Hpa(kHpaBase), 0x1000, kMemRw).ok());
  EXPECT_TRUE(t->map(Gpa(0x40'0000), Hpa(kHpaBase), 0x1000, kMemRw).ok());

  EXPECT_EQ(t->map(Gpa(0x800), Hpa(kHpaBase), 0x1000, kMemRw).error(), Status::kUnaligned);
  EXPECT_EQ(t->map(Gpa(0x1000), Hpa(kHpaBase + 8), 0x1000, kMemRw).error(), Status::kUnaligned);
  EXPECT_EQ(t->map(Gpa(0x1000), Hpa(kHpaBase), 0x1800, kMemRw).error(), Status::kUnaligned);
  EXPECT_EQ(t->map(Gpa(0x1000), Hpa(kHpaBase), 0, kMemRw).error(), Status::kInvalidArgument);
  EXPECT_EQ(t->map(Gpa(0x1000), Hpa(kHpaBase), 0x1000, MemFlags{false, true, false}).error(),
            Status::kInvalidArgument);
  const uint64_t limit = t->ipa_limit();
  EXPECT_EQ(t->map(Gpa(limit), Hpa(kHpaBase), 0x1000, kMemRw).error(), Status::kOutOfRange);
  EXPECT_EQ(t->map(Gpa(limit - 0x1000), Hpa(kHpaBase), 0x2000, kMemRw).error(),
            Status::kOutOfRange);
  EXPECT_EQ(t->map(Gpa(0x1000), Hpa(t->layout().oa_limit()), 0x1000, kMemRw).error(),
            Status::kOutOfRange);
  EXPECT_EQ(t->translate(Gpa(limit)).error(), Status::kOutOfRange);
  // The last page below the input limit works.
  ASSERT_TRUE(t->map(Gpa(limit - 0x1000), Hpa(kHpaBase), 0x1000, kMemRx).ok());
  EXPECT_EQ(t->translate(Gpa(limit - 1))->hpa.raw(), kHpaBase + 0xfff);
  EXPECT_EQ(t->protect(Gpa(0x1000), 0x1000, kMemRo).error(), Status::kNotMapped);
}

TEST_P(Stage2Formats, UnmapAndProtectSplitBlocks) {
  TestFrameAllocator alloc;
  auto t = Stage2Table::create(alloc, GetParam().config);
  ASSERT_TRUE(t.ok());
  const size_t root = alloc.in_use();
  const Gpa base(kPageSize1G);
  ASSERT_TRUE(t->map(base, Hpa(kHpaBase), kPageSize1G, kMemRwx).ok());
  // Punch one page out of the middle of the block.
  const uint64_t hole = 5 * kPageSize2M + 3 * kPageSize4K;
  ASSERT_TRUE(t->unmap(base + hole, 4096).ok());
  EXPECT_EQ(t->translate(base + hole).error(), Status::kNotMapped);
  EXPECT_EQ(t->translate(base + hole - 1)->hpa.raw(), kHpaBase + hole - 1);
  EXPECT_EQ(t->translate(base + hole + 4096)->hpa.raw(), kHpaBase + hole + 4096);
  EXPECT_EQ(t->translate(base + hole - 1)->page_size, kPageSize4K);
  EXPECT_EQ(t->translate(base)->page_size, kPageSize2M);  // the rest stays in 2 MiB leaves
  EXPECT_EQ(t->translate(base + kPageSize1G - 1)->page_size, kPageSize2M);
  // Make a 2 MiB leaf read-only in part: only that part changes.
  ASSERT_TRUE(t->protect(base + 8 * kPageSize2M + 4096, 4096, kMemRo).ok());
  EXPECT_EQ(t->translate(base + 8 * kPageSize2M + 4096)->flags, kMemRo);
  EXPECT_EQ(t->translate(base + 8 * kPageSize2M)->flags, kMemRwx);
  EXPECT_EQ(t->translate(base + 8 * kPageSize2M + 8192)->flags, kMemRwx);
  EXPECT_EQ(t->translate(base + 8 * kPageSize2M + 8192)->hpa.raw(),
            kHpaBase + 8 * kPageSize2M + 8192);
  // Protecting whole leaves keeps them whole.
  ASSERT_TRUE(t->protect(base + 10 * kPageSize2M, kPageSize2M, kMemDevice).ok());
  EXPECT_EQ(t->translate(base + 10 * kPageSize2M + 77)->flags, kMemDevice);
  EXPECT_EQ(t->translate(base + 10 * kPageSize2M + 77)->page_size, kPageSize2M);
  // Unmapping across the hole (holes are fine) and then everything frees every table.
  ASSERT_TRUE(t->unmap(base + hole - kPageSize2M, 2 * kPageSize2M).ok());
  ASSERT_TRUE(t->unmap(base, kPageSize1G).ok());
  EXPECT_EQ(alloc.in_use(), root);
}

TEST_P(Stage2Formats, MoveKeepsOneOwner) {
  TestFrameAllocator alloc;
  {
    auto t = Stage2Table::create(alloc, GetParam().config);
    ASSERT_TRUE(t.ok());
    ASSERT_TRUE(t->map(Gpa(0x1000), Hpa(kHpaBase), 0x3000, kMemRw).ok());
    Stage2Table moved = std::move(*t);
    EXPECT_EQ(moved.translate(Gpa(0x2000))->hpa.raw(), kHpaBase + 0x1000);
    auto other = Stage2Table::create(alloc, GetParam().config);
    ASSERT_TRUE(other.ok());
    *other = std::move(moved);  // frees the table `other` held
    EXPECT_EQ(other->translate(Gpa(0x3000))->hpa.raw(), kHpaBase + 0x2000);
  }
  EXPECT_EQ(alloc.in_use(), 0u);
}

// The hosted paging handler, through the adapter the VM uses.
TEST_P(Stage2Formats, WorksOnHostPagingHandler) {
  hosted::HostPagingHandler handler;
  PagingHandlerAdapter<hosted::HostPagingHandler> alloc(handler);
  {
    auto t = Stage2Table::create(alloc, GetParam().config);
    ASSERT_TRUE(t.ok());
    ASSERT_TRUE(t->map(Gpa(0x4000'0000), Hpa(kHpaBase), 4 * kPageSize2M + 0x5000, kMemRw).ok());
    ASSERT_TRUE(t->unmap(Gpa(0x4000'0000 + 0x3000), 0x1000).ok());
    EXPECT_EQ(t->translate(Gpa(0x4000'0000 + 0x2fff))->hpa.raw(), kHpaBase + 0x2fff);
    EXPECT_EQ(t->translate(Gpa(0x4000'3000)).error(), Status::kNotMapped);
    EXPECT_GT(handler.frames_in_use(), 1u);
  }
  EXPECT_EQ(handler.frames_in_use(), 0u);
}

INSTANTIATE_TEST_SUITE_P(AllFormats, Stage2Formats, ::testing::ValuesIn(all_formats()),
                         [](const auto& tp) { return tp.param.name; });

}  // namespace
}  // namespace tandem::test

// SPDX-License-Identifier: Apache-2.0
#include "core/mm/address_space.h"

#include <gtest/gtest.h>

#include <cstring>
#include <limits>

#include "backends/hosted/host_paging.h"
#include "core/hal.h"
#include "test_frame_allocator.h"

namespace tandem::test {
namespace {

constexpr Gpa kRamBase(0x4000'0000);
constexpr uint64_t kRamSize = 16ull << 20;

Stage2Config arm() { return Stage2Config::aarch64(40, 3, 40); }

TEST(AddressSpace, OverlapRejectedAtExactEdges) {
  TestFrameAllocator alloc;
  auto as = AddressSpace::create(alloc, arm());
  ASSERT_TRUE(as.ok());
  ASSERT_TRUE(as->add_ram_alloc(kRamBase, kRamSize).ok());
  // Touching either edge is fine; one page into the region is not.
  EXPECT_TRUE(as->add_mmio(kRamBase - 0x1000, 0x1000).ok());
  EXPECT_TRUE(as->add_reserved(kRamBase + kRamSize, 0x1000).ok());
  EXPECT_EQ(as->add_mmio(kRamBase + kRamSize - 0x1000, 0x1000).error(), Status::kOverlap);
  EXPECT_EQ(as->add_mmio(kRamBase - 0x2000, 0x2000).error(), Status::kOverlap);
  EXPECT_EQ(as->add_mmio(kRamBase, kRamSize).error(), Status::kOverlap);
  EXPECT_EQ(as->add_ram_on_demand(Gpa(0), 0x8000'0000).error(), Status::kOverlap);
  EXPECT_EQ(as->add_ram(kRamBase + 0x5000, 0x1000, Hpa(0x1000)).error(), Status::kOverlap);
  EXPECT_EQ(as->regions().size(), 3u);
  // Malformed regions.
  EXPECT_EQ(as->add_mmio(Gpa(0x1000'0800), 0x1000).error(), Status::kUnaligned);
  EXPECT_EQ(as->add_mmio(Gpa(0x1000'0000), 0x800).error(), Status::kUnaligned);
  EXPECT_EQ(as->add_mmio(Gpa(0x1000'0000), 0).error(), Status::kInvalidArgument);
  EXPECT_EQ(as->add_mmio(Gpa((1ull << 40) - 0x1000), 0x2000).error(), Status::kOutOfRange);
  EXPECT_TRUE(as->add_mmio(Gpa((1ull << 40) - 0x1000), 0x1000).ok());
}

TEST(AddressSpace, FindAndSortedIteration) {
  TestFrameAllocator alloc;
  auto as = AddressSpace::create(alloc, arm());
  ASSERT_TRUE(as.ok());
  ASSERT_TRUE(as->add_ram_on_demand(kRamBase, kRamSize).ok());
  ASSERT_TRUE(as->add_mmio(Gpa(0x0900'0000), 0x1000).ok());
  ASSERT_TRUE(as->add_reserved(Gpa(0x0800'0000), 0x10000).ok());
  EXPECT_EQ(as->find(Gpa(0x0900'0000))->kind, RegionKind::kMmio);
  EXPECT_EQ(as->find(Gpa(0x0900'0fff))->kind, RegionKind::kMmio);
  EXPECT_EQ(as->find(Gpa(0x0900'1000)), nullptr);
  EXPECT_EQ(as->find(Gpa(0x08ff'ffff)), nullptr);
  EXPECT_EQ(as->find(Gpa(0)), nullptr);
  EXPECT_EQ(as->find(kRamBase + kRamSize - 1)->base, kRamBase);
  EXPECT_EQ(as->find(kRamBase + kRamSize), nullptr);
  const auto regions = as->regions();
  ASSERT_EQ(regions.size(), 3u);
  EXPECT_EQ(regions[0].base.raw(), 0x0800'0000u);
  EXPECT_EQ(regions[1].base.raw(), 0x0900'0000u);
  EXPECT_EQ(regions[2].base, kRamBase);
  EXPECT_EQ(regions[2].backing, RamBacking::kOnDemand);
  EXPECT_EQ(as->host_address(regions[2]).error(), Status::kUnsupported);
  // MMIO holes and on-demand RAM have no stage-2 mapping yet.
  EXPECT_EQ(as->stage2().translate(Gpa(0x0900'0000)).error(), Status::kNotMapped);
  EXPECT_EQ(as->stage2().translate(kRamBase).error(), Status::kNotMapped);
}

TEST(AddressSpace, CapacityIsFixed) {
  TestFrameAllocator alloc;
  auto as = AddressSpace::create(alloc, arm());
  ASSERT_TRUE(as.ok());
  for (size_t i = 0; i < kMaxRegions; ++i) {
    ASSERT_TRUE(as->add_mmio(Gpa(0x1000'0000 - i * 0x2000), 0x1000).ok()) << i;
  }
  EXPECT_EQ(as->add_mmio(Gpa(0x2000'0000), 0x1000).error(), Status::kCapacity);
  for (size_t i = 1; i < kMaxRegions; ++i) {
    EXPECT_LT(as->regions()[i - 1].base, as->regions()[i].base);
  }
}

TEST(AddressSpace, AllocatedRamIsContiguousMappedWithBlocksAndFreed) {
  hosted::HostPagingHandler handler;
  PagingHandlerAdapter<hosted::HostPagingHandler> alloc(handler);
  {
    auto as = AddressSpace::create(alloc, arm());
    ASSERT_TRUE(as.ok());
    ASSERT_TRUE(as->add_ram_alloc(kRamBase, kRamSize, kMemRwx).ok());
    const Region* ram = as->find(kRamBase);
    ASSERT_NE(ram, nullptr);
    EXPECT_EQ(ram->backing, RamBacking::kOwned);
    EXPECT_TRUE(ram->hpa.is_aligned(kPageSize2M));
    auto host = as->host_address(*ram);
    ASSERT_TRUE(host.ok());
    // The backend sees one host range; stage 2 maps the same bytes with 2 MiB leaves.
    to_ptr<uint8_t>(*host)[kRamSize - 1] = 0x5a;
    const auto t = as->stage2().translate(kRamBase + kRamSize - 1);
    ASSERT_TRUE(t.ok());
    EXPECT_EQ(t->page_size, kPageSize2M);
    EXPECT_EQ(t->hpa, ram->hpa + (kRamSize - 1));
    EXPECT_EQ(*to_ptr<uint8_t>(alloc.phys_to_virt(t->hpa)), 0x5a);
    EXPECT_EQ(t->flags, kMemRwx);
  }
  EXPECT_EQ(handler.frames_in_use(), 0u);
}

TEST(AddressSpace, LinearRamUsesCallersBackingAndKeepsIt) {
  TestFrameAllocator alloc;
  const Hpa backing = *alloc.alloc_frames(16, 1);
  {
    auto as = AddressSpace::create(alloc, arm());
    ASSERT_TRUE(as.ok());
    ASSERT_TRUE(as->add_ram(Gpa(0x8000'0000), 16 * kFrameSize, backing, kMemRx).ok());
    EXPECT_EQ(as->stage2().translate(Gpa(0x8000'3004))->hpa, backing + 0x3004);
    EXPECT_EQ(as->stage2().translate(Gpa(0x8000'3004))->flags, kMemRx);
    EXPECT_EQ(as->host_address(*as->find(Gpa(0x8000'0000)))->raw(),
              alloc.phys_to_virt(backing).raw());
  }
  EXPECT_EQ(alloc.in_use(), 16u);  // the caller's frames are still the caller's
  alloc.free_frames(backing, 16);
}

TEST(AddressSpace, OnDemandPopulateAndTeardown) {
  TestFrameAllocator alloc;
  {
    auto as = AddressSpace::create(alloc, arm());
    ASSERT_TRUE(as.ok());
    ASSERT_TRUE(as->add_ram_on_demand(kRamBase, kRamSize, kMemRw).ok());
    ASSERT_TRUE(as->add_mmio(Gpa(0x0900'0000), 0x1000).ok());
    const size_t before = alloc.in_use();
    // Three pages touched by a 0x1001-byte range starting 0xfff into a page: the 2 MiB block
    // around them is backed as one leaf, and nothing past it.
    ASSERT_TRUE(as->populate(kRamBase + 0xfff, 0x1002).ok());
    EXPECT_EQ(as->stage2().translate(kRamBase)->page_size, kPageSize2M);
    EXPECT_TRUE(as->stage2().translate(kRamBase + kPageSize2M - 1).ok());
    EXPECT_EQ(as->stage2().translate(kRamBase + kPageSize2M).error(), Status::kNotMapped);
    EXPECT_EQ(as->stage2().translate(kRamBase + 0x1000)->flags, kMemRw);
    const size_t after = alloc.in_use();
    EXPECT_GE(after - before, kPageSize2M / kFrameSize);
    // Populating again allocates nothing.
    ASSERT_TRUE(as->populate(kRamBase, kPageSize2M).ok());
    EXPECT_EQ(alloc.in_use(), after);
    EXPECT_EQ(as->populate(Gpa(0x0900'0000), 4).error(), Status::kPermission);
    EXPECT_EQ(as->populate(Gpa(0x0a00'0000), 4).error(), Status::kNotMapped);
  }
  EXPECT_EQ(alloc.in_use(), 0u);
  EXPECT_EQ(alloc.allocated(), alloc.freed());
}

// Where no 2 MiB block fits (a region edge inside the block, or no aligned run of frames),
// on-demand RAM is backed a 4 KiB page at a time; teardown frees both kinds.
TEST(AddressSpace, OnDemandFallsBackToPages) {
  TestFrameAllocator alloc;
  {
    auto as = AddressSpace::create(alloc, arm());
    ASSERT_TRUE(as.ok());
    // Starts 4 KiB into a block: the first block is cut by the region's base.
    ASSERT_TRUE(as->add_ram_on_demand(kRamBase + 0x1000, kRamSize - 0x1000).ok());
    ASSERT_TRUE(as->populate(kRamBase + 0x1000, 1).ok());
    EXPECT_EQ(as->stage2().translate(kRamBase + 0x1000)->page_size, kFrameSize);
    EXPECT_EQ(as->stage2().translate(kRamBase + 0x2000).error(), Status::kNotMapped);
    // The next block fits, but the allocator can give only a few frames.
    alloc.set_budget(8);
    ASSERT_TRUE(as->populate(kRamBase + kPageSize2M + 0x5000, 1).ok());
    EXPECT_EQ(as->stage2().translate(kRamBase + kPageSize2M + 0x5000)->page_size, kFrameSize);
    EXPECT_EQ(as->stage2().translate(kRamBase + kPageSize2M).error(), Status::kNotMapped);
    alloc.set_budget(std::numeric_limits<size_t>::max());
    // A block that already holds a 4 KiB page stays on pages.
    ASSERT_TRUE(as->populate(kRamBase + kPageSize2M, 1).ok());
    EXPECT_EQ(as->stage2().translate(kRamBase + kPageSize2M)->page_size, kFrameSize);
    ASSERT_TRUE(as->populate(kRamBase + 2 * kPageSize2M, 1).ok());
    EXPECT_EQ(as->stage2().translate(kRamBase + 2 * kPageSize2M)->page_size, kPageSize2M);
  }
  EXPECT_EQ(alloc.in_use(), 0u);
  EXPECT_EQ(alloc.allocated(), alloc.freed());
}

TEST(AddressSpace, OutOfMemoryAddsNothingAndLeaksNothing) {
  TestFrameAllocator alloc;
  {
    auto as = AddressSpace::create(alloc, arm());
    ASSERT_TRUE(as.ok());
    const size_t base = alloc.in_use();
    alloc.set_budget(kRamSize / kFrameSize);  // the RAM fits, its tables do not
    EXPECT_EQ(as->add_ram_alloc(kRamBase, kRamSize).error(), Status::kNoMemory);
    EXPECT_EQ(as->regions().size(), 0u);
    EXPECT_EQ(alloc.in_use(), base);
    alloc.set_budget(0);
    ASSERT_TRUE(as->add_ram_on_demand(kRamBase, kRamSize).ok());
    EXPECT_EQ(as->populate(kRamBase, 0x1000).error(), Status::kNoMemory);
    EXPECT_EQ(alloc.in_use(), base);
  }
  EXPECT_EQ(alloc.in_use(), 0u);
}

TEST(AddressSpace, MoveTransfersOwnership) {
  TestFrameAllocator alloc;
  {
    auto as = AddressSpace::create(alloc, arm());
    ASSERT_TRUE(as.ok());
    ASSERT_TRUE(as->add_ram_alloc(kRamBase, kRamSize).ok());
    ASSERT_TRUE(as->add_ram_on_demand(Gpa(0x8000'0000), kRamSize).ok());
    ASSERT_TRUE(as->populate(Gpa(0x8000'0000), 0x5000).ok());
    AddressSpace moved = std::move(*as);
    EXPECT_EQ(moved.regions().size(), 2u);
    EXPECT_TRUE(moved.stage2().translate(Gpa(0x8000'4000)).ok());
  }
  EXPECT_EQ(alloc.in_use(), 0u);
}

}  // namespace
}  // namespace tandem::test

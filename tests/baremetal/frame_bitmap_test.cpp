// SPDX-License-Identifier: Apache-2.0
// The bare-metal frame allocator (backends/baremetal/common/frame_bitmap.h) on a host buffer
// standing in for physical RAM (phys == virt there as on the board).
#include "backends/baremetal/common/frame_bitmap.h"

#include "core/hal.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <vector>

namespace tandem::baremetal {
namespace {

constexpr size_t kFrames = 2048;  // 8 MiB

struct Ram {
  Ram() : mem(static_cast<uint8_t*>(std::aligned_alloc(2 << 20, kFrames * kFrameSize))) {}
  ~Ram() { std::free(mem); }
  Hpa base() const { return Hpa(reinterpret_cast<uintptr_t>(mem)); }
  Hpa at(size_t frame) const { return base() + frame * kFrameSize; }
  uint8_t* mem;
};

struct Fixture : ::testing::Test {
  Ram ram;
  std::vector<uint64_t> bits = std::vector<uint64_t>(FrameBitmap::words_for(kFrames));
  FrameBitmap frames;
  void SetUp() override {
    frames.init(ram.base(), kFrames, bits.data());
    frames.release(ram.base(), ram.at(kFrames));
  }
};

using FrameBitmapTest = Fixture;

TEST_F(FrameBitmapTest, StartsUsedUntilReleased) {
  FrameBitmap f;
  std::vector<uint64_t> b(FrameBitmap::words_for(kFrames));
  f.init(ram.base(), kFrames, b.data());
  EXPECT_EQ(f.free_frames_count(), 0u);
  EXPECT_EQ(f.alloc_frames(1, 1).error(), Status::kNoMemory);
  // Partial frames at the edges of a released range stay used.
  f.release(ram.base() + 100, ram.at(3) + 5);
  EXPECT_EQ(f.free_frames_count(), 2u);
  EXPECT_EQ(frames.free_frames_count(), kFrames);
}

TEST_F(FrameBitmapTest, AllocatesZeroedFramesFirstFit) {
  std::memset(ram.mem, 0xa5, kFrames * kFrameSize);
  auto a = frames.alloc_frames(1, 1);
  auto b = frames.alloc_frames(3, 1);
  ASSERT_TRUE(a && b);
  EXPECT_EQ(*a, ram.at(0));
  EXPECT_EQ(*b, ram.at(1));
  for (size_t i = 0; i < 3 * kFrameSize; i++) ASSERT_EQ(ram.mem[kFrameSize + i], 0);
  EXPECT_EQ(ram.mem[4 * kFrameSize], 0xa5);  // past the allocation: untouched
  frames.free_frames(*a, 1);
  EXPECT_EQ(frames.alloc_frames(1, 1).value_or(Hpa()), ram.at(0));  // reused
  EXPECT_EQ(frames.free_frames_count(), kFrames - 4);
}

TEST_F(FrameBitmapTest, HonoursPhysicalAlignment) {
  ASSERT_TRUE(frames.alloc_frames(1, 1));
  auto big = frames.alloc_frames(512, 512);  // 2 MiB on a 2 MiB boundary
  ASSERT_TRUE(big);
  EXPECT_TRUE(big->is_aligned(2 << 20));
  EXPECT_EQ(*big, ram.at(512));
  // The gap below stays available for small allocations.
  EXPECT_EQ(frames.alloc_frames(4, 4).value_or(Hpa()), ram.at(4));
}

TEST_F(FrameBitmapTest, ReservedRangesAreSkipped) {
  frames.reserve(ram.at(0), ram.at(10) + 1);  // touches frame 10
  EXPECT_EQ(frames.alloc_frames(1, 1).value_or(Hpa()), ram.at(11));
  frames.reserve(ram.at(20), ram.at(21));
  EXPECT_EQ(frames.alloc_frames(10, 1).value_or(Hpa()), ram.at(21));
}

TEST_F(FrameBitmapTest, RunsOutCleanly) {
  EXPECT_EQ(frames.alloc_frames(kFrames + 1, 1).error(), Status::kNoMemory);
  EXPECT_EQ(frames.alloc_frames(0, 1).error(), Status::kInvalidArgument);
  EXPECT_EQ(frames.alloc_frames(1, 3).error(), Status::kInvalidArgument);
  ASSERT_TRUE(frames.alloc_frames(kFrames, 1));
  EXPECT_EQ(frames.free_frames_count(), 0u);
  EXPECT_EQ(frames.alloc_frames(1, 1).error(), Status::kNoMemory);
  frames.free_frames(ram.at(7), 1);
  EXPECT_EQ(frames.alloc_frames(2, 1).error(), Status::kNoMemory);  // one free frame only
  EXPECT_EQ(frames.alloc_frames(1, 1).value_or(Hpa()), ram.at(7));
}

TEST_F(FrameBitmapTest, WorksAsTheCoreFrameAllocator) {
  PagingHandlerAdapter<FrameBitmap> alloc(frames);
  auto pa = alloc.alloc_frame();
  ASSERT_TRUE(pa);
  EXPECT_EQ(alloc.virt_to_phys(alloc.phys_to_virt(*pa)), *pa);
  alloc.free_frame(*pa);
  EXPECT_EQ(frames.free_frames_count(), kFrames);
}

}  // namespace
}  // namespace tandem::baremetal

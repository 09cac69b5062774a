// SPDX-License-Identifier: Apache-2.0
// A FrameAllocator for tests: frames come from a host arena but carry fake physical addresses
// (so code that forgets phys_to_virt crashes instead of passing), allocation can be made to
// fail after a budget of frames, and every allocation and free is counted and checked.
#pragma once

#include <gtest/gtest.h>
#include <sys/mman.h>

#include <cstdint>
#include <cstring>
#include <limits>
#include <vector>

#include "core/mm/frame_allocator.h"

namespace tandem::test {

class TestFrameAllocator final : public FrameAllocator {
 public:
  static constexpr uint64_t kPhysBase = 0x20'0000'0000;  // 128 GiB, far from any host pointer

  explicit TestFrameAllocator(size_t frames = 16384) : m_frames(frames), m_used(frames, false) {
    void* p = mmap(nullptr, frames * kFrameSize, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    EXPECT_NE(p, MAP_FAILED);
    m_arena = static_cast<uint8_t*>(p);
  }
  ~TestFrameAllocator() { munmap(m_arena, m_frames * kFrameSize); }
  TestFrameAllocator(const TestFrameAllocator&) = delete;
  TestFrameAllocator& operator=(const TestFrameAllocator&) = delete;

  Result<Hpa> alloc_frames(size_t count, size_t align_frames) override {
    if (count == 0 || align_frames == 0 || (align_frames & (align_frames - 1)) != 0) {
      ADD_FAILURE() << "bad alloc_frames(" << count << ", " << align_frames << ")";
      return Error(Status::kInvalidArgument);
    }
    if (count > m_budget) return Error(Status::kNoMemory);
    size_t first = 0;
    if (count == 1 && !m_free.empty()) {
      first = m_free.back();
      m_free.pop_back();
    } else {
      first = (m_bump + align_frames - 1) & ~(align_frames - 1);
      if (first + count > m_frames) return Error(Status::kNoMemory);
      for (size_t i = m_bump; i < first; ++i) m_free.push_back(i);
      m_bump = first + count;
    }
    for (size_t i = first; i < first + count; ++i) m_used[i] = true;
    std::memset(m_arena + first * kFrameSize, 0, count * kFrameSize);
    m_budget -= count;
    m_allocated += count;
    return Hpa(kPhysBase + first * kFrameSize);
  }

  void free_frames(Hpa pa, size_t count) override {
    const uint64_t first = (pa.raw() - kPhysBase) / kFrameSize;
    for (uint64_t i = first; i < first + count; ++i) {
      if (pa.raw() < kPhysBase || i >= m_frames || !m_used[i]) {
        ADD_FAILURE() << "free of a frame that is not allocated: 0x" << std::hex << pa.raw();
        return;
      }
      m_used[i] = false;
      // Scribble over freed frames so a use after free shows up as garbage entries.
      std::memset(m_arena + i * kFrameSize, 0xa5, kFrameSize);
      m_free.push_back(i);
    }
    m_freed += count;
  }

  Hva phys_to_virt(Hpa pa) const override {
    EXPECT_GE(pa.raw(), kPhysBase);
    EXPECT_LT(pa.raw(), kPhysBase + m_frames * kFrameSize);
    return to_hva(m_arena + (pa.raw() - kPhysBase));
  }
  Hpa virt_to_phys(Hva va) const override {
    return Hpa(kPhysBase + (va.raw() - to_hva(m_arena).raw()));
  }

  // Further allocations succeed for `frames` more frames in total, then fail.
  void set_budget(size_t frames) { m_budget = frames; }
  size_t allocated() const { return m_allocated; }
  size_t freed() const { return m_freed; }
  size_t in_use() const { return m_allocated - m_freed; }

 private:
  size_t m_frames;
  uint8_t* m_arena = nullptr;
  std::vector<bool> m_used;
  std::vector<size_t> m_free;
  size_t m_bump = 0;
  size_t m_budget = std::numeric_limits<size_t>::max();
  size_t m_allocated = 0;
  size_t m_freed = 0;
};

}  // namespace tandem::test

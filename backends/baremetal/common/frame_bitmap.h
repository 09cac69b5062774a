// SPDX-License-Identifier: Apache-2.0
// The physical frame allocator of a bare-metal image: one bit per 4 KiB frame over the span
// from the lowest to the highest RAM address, 1 = in use. Everything starts in use; the boot
// code releases the RAM the DTB reports and then re-reserves the image, the DTB and the bitmap
// itself. First fit with alignment, so the contiguous, aligned runs the address space asks for
// (guest RAM on 2 MiB boundaries) come out of the same allocator as single table frames.
//
// The EL2/HS MMU is off, so a physical address is the address the hypervisor dereferences
// (phys_to_virt is the identity). Header-only and pure, so host tests run it on a buffer.
// Allocation and freeing take a spin lock: an image's several VMs (common/run_vms.h) back their
// RAM on demand from their own physical CPUs at the same time.
#pragma once

#include <cstddef>
#include <cstdint>

#include "core/base/addr.h"
#include "core/base/result.h"
#include "core/base/spin_lock.h"
#include "core/mm/frame_allocator.h"

namespace tandem::baremetal {

class FrameBitmap {
 public:
  // Bitmap words needed to cover `frames` frames.
  static constexpr size_t words_for(size_t frames) { return (frames + 63) / 64; }

  // Covers [base, base + frames * 4 KiB); `bits` holds words_for(frames) words, all set here.
  void init(Hpa base, size_t frames, uint64_t* bits) {
    m_base = base;
    m_frames = frames;
    m_bits = bits;
    m_free = 0;
    m_hint = 0;
    for (size_t i = 0; i < words_for(frames); i++) m_bits[i] = ~uint64_t{0};
  }

  // Marks the frames wholly inside [start, end) free / the frames touching it used; parts
  // outside the covered span are ignored.
  void release(Hpa start, Hpa end) {
    const uint64_t lo = start.align_up(kFrameSize).raw(), hi = end.align_down(kFrameSize).raw();
    for_range(lo, hi, [this](size_t i) { set(i, false); });
  }
  void reserve(Hpa start, Hpa end) {
    const uint64_t lo = start.align_down(kFrameSize).raw(), hi = end.align_up(kFrameSize).raw();
    for_range(lo, hi, [this](size_t i) { set(i, true); });
  }

  // `count` contiguous frames whose first frame number is a multiple of `align_frames`
  // (counted from address 0, so alignment is physical), zero-filled.
  [[nodiscard]] Result<Hpa> alloc_frames(size_t count, size_t align_frames) {
    if (count == 0 || align_frames == 0 || (align_frames & (align_frames - 1)) != 0) {
      return Error(Status::kInvalidArgument);
    }
    SpinLockGuard guard(m_lock);
    if (count > m_free) return Error(Status::kNoMemory);
    const uint64_t base_frame = m_base.raw() / kFrameSize;
    size_t i = m_hint;
    while (i + count <= m_frames) {
      // Align the physical frame number, not the index into the span.
      const uint64_t pfn = base_frame + i;
      const uint64_t aligned = (pfn + align_frames - 1) & ~uint64_t{align_frames - 1};
      i = static_cast<size_t>(aligned - base_frame);
      if (i + count > m_frames) break;
      const size_t used = first_used(i, count);
      if (used == kNone) {
        for (size_t j = i; j < i + count; j++) set(j, true);
        if (align_frames == 1 && i == m_hint) m_hint = i + count;
        const Hpa pa = m_base + i * kFrameSize;
        __builtin_memset(reinterpret_cast<void*>(static_cast<uintptr_t>(pa.raw())), 0,
                         count * kFrameSize);
        return pa;
      }
      i = used + 1;
    }
    return Error(Status::kNoMemory);
  }

  void free_frames(Hpa pa, size_t count) {
    SpinLockGuard guard(m_lock);
    const size_t first = static_cast<size_t>((pa - m_base) / kFrameSize);
    for (size_t j = first; j < first + count && j < m_frames; j++) set(j, false);
    if (first < m_hint) m_hint = first;
  }

  Hva phys_to_virt(Hpa pa) const { return Hva(pa.raw()); }
  Hpa virt_to_phys(Hva va) const { return Hpa(va.raw()); }

  size_t free_frames_count() const { return m_free; }

 private:
  static constexpr size_t kNone = ~size_t{0};

  bool test(size_t i) const { return (m_bits[i / 64] >> (i % 64)) & 1; }
  void set(size_t i, bool used) {
    if (test(i) == used) return;
    m_bits[i / 64] ^= uint64_t{1} << (i % 64);
    if (used) {
      m_free--;
    } else {
      m_free++;
      if (i < m_hint) m_hint = i;
    }
  }

  // The first used frame in [i, i + count), or kNone; skips whole free words.
  size_t first_used(size_t i, size_t count) const {
    const size_t end = i + count;
    while (i < end) {
      if (i % 64 == 0 && end - i >= 64 && m_bits[i / 64] == 0) {
        i += 64;
        continue;
      }
      if (test(i)) return i;
      i++;
    }
    return kNone;
  }

  template <class F>
  void for_range(uint64_t lo, uint64_t hi, F f) {
    const uint64_t span_lo = m_base.raw(), span_hi = m_base.raw() + m_frames * kFrameSize;
    if (lo < span_lo) lo = span_lo;
    if (hi > span_hi) hi = span_hi;
    for (uint64_t a = lo; a < hi; a += kFrameSize)
      f(static_cast<size_t>((a - span_lo) / kFrameSize));
  }

  Hpa m_base;
  size_t m_frames = 0;
  uint64_t* m_bits = nullptr;
  size_t m_free = 0;
  size_t m_hint = 0;  // no free frame below this index
  SpinLock m_lock;
};

}  // namespace tandem::baremetal

// SPDX-License-Identifier: Apache-2.0
// The run-time face of a PagingHandler. Page tables and the address space take a
// FrameAllocator& so they stay plain classes; Vm<H> wraps H::PagingHandler in a
// PagingHandlerAdapter (core/hal.h). Frames are 4 KiB.
#pragma once

#include <cstddef>

#include "core/base/addr.h"
#include "core/base/result.h"

namespace tandem {

inline constexpr size_t kFrameSize = 4096;

class FrameAllocator {
 public:
  // `count` physically contiguous frames aligned to `align_frames` frames, zero-filled.
  [[nodiscard]] virtual Result<Hpa> alloc_frames(size_t count, size_t align_frames) = 0;
  virtual void free_frames(Hpa pa, size_t count) = 0;
  virtual Hva phys_to_virt(Hpa pa) const = 0;
  virtual Hpa virt_to_phys(Hva va) const = 0;

  [[nodiscard]] Result<Hpa> alloc_frame() { return alloc_frames(1, 1); }
  void free_frame(Hpa pa) { free_frames(pa, 1); }

 protected:
  ~FrameAllocator() = default;
};

}  // namespace tandem

// SPDX-License-Identifier: Apache-2.0
// The hosted PagingHandler: frames come from anonymous mmap, and a hosted "physical" address
// is simply the host virtual address (the stage-2 tables hold host pointers, which is what
// Unicorn and KVM memory slots consume). Counts frames so tests can check for leaks.
#pragma once

#include <cstddef>
#include <cstdint>

#include "core/hal.h"

namespace tandem::hosted {

class HostPagingHandler {
 public:
  Result<Hpa> alloc_frames(size_t count, size_t align_frames);
  void free_frames(Hpa pa, size_t count);
  Hva phys_to_virt(Hpa pa) const { return Hva(pa.raw()); }
  Hpa virt_to_phys(Hva va) const { return Hpa(va.raw()); }

  size_t frames_in_use() const { return m_in_use; }

 private:
  size_t m_in_use = 0;
};

static_assert(PagingHandler<HostPagingHandler>);

// A monotonic clock in nanoseconds.
uint64_t now_ns();

}  // namespace tandem::hosted

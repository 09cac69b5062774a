// SPDX-License-Identifier: Apache-2.0
// The HAL bundle of a bare-metal image (core/hal.h): frames from the image's physical frame
// allocator (the MMU is off, so physical == virtual), the arch's Machine, and the arch's
// clock. Each arch instantiates it with its Machine and checks static_assert(Hal<...>).
#pragma once

#include <cstdint>

#include "backends/baremetal/common/arch.h"
#include "backends/baremetal/common/frame_bitmap.h"
#include "core/hal.h"

namespace tandem::baremetal {

static_assert(PagingHandler<FrameBitmap>);

template <class M>
struct BaremetalHal {
  using PagingHandler = FrameBitmap;
  using Machine = M;
  static uint64_t now_ns() { return arch::now_ns(); }
  // Polls the clock: the image takes no interrupts of its own yet, so nothing but time can
  // end the wait, and nothing calls wake().
  static void idle_until(uint64_t deadline_ns) {
    if (deadline_ns == kNoDeadline) return;
    while (arch::now_ns() < deadline_ns) {
    }
  }
  static void wake() {}
};

}  // namespace tandem::baremetal

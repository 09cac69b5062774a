// SPDX-License-Identifier: Apache-2.0
#include "core/loader/boot_layout.h"

#include "core/base/log.h"

namespace tandem {
namespace {

constexpr uint64_t kInitrdOffsetCap = 128ull << 20;

Error fail(PlacementError e, Status s, PlacementError* why) {
  TLOG_DEBUG("boot layout: %s", describe(e));
  if (why != nullptr) *why = e;
  return Error(s);
}

// `value` rounded up to `align` (a power of two), or nothing if that overflows.
bool align_up(uint64_t value, uint64_t align, uint64_t& out) {
  if (value > UINT64_MAX - (align - 1)) return false;
  out = (value + align - 1) & ~(align - 1);
  return true;
}

// [start, start + size) lies inside `ram`, without overflow.
bool inside(RamRange ram, uint64_t start, uint64_t size) {
  const uint64_t base = ram.base.raw();
  return start >= base && start - base <= ram.size && size <= ram.size - (start - base);
}

}  // namespace

Result<KernelPlacement> place_kernel(const KernelImage& kernel, RamRange ram, Gpa kernel_base,
                                     PlacementError* why) {
  const auto outside = [&] {
    return fail(PlacementError::kKernelOutsideRam, Status::kOutOfRange, why);
  };
  uint64_t load = 0;
  switch (kernel.format) {
    case KernelFormat::kElf:
    case KernelFormat::kBzImage:
    case KernelFormat::kMultiboot:
      return fail(PlacementError::kElfNotPlaced, Status::kUnsupported, why);
    case KernelFormat::kRaw: load = kernel_base.raw(); break;
    case KernelFormat::kArm64Image: {
      uint64_t base = 0;
      if (!align_up(kernel_base.raw(), kImageAlign, base) || kernel.text_offset > UINT64_MAX - base)
        return outside();
      load = base + kernel.text_offset;
      break;
    }
    case KernelFormat::kRiscvImage: {
      if (kernel.text_offset > UINT64_MAX - ram.base.raw()) return outside();
      const uint64_t wanted = ram.base.raw() + kernel.text_offset;
      if (!align_up(wanted > kernel_base.raw() ? wanted : kernel_base.raw(), kImageAlign, load))
        return outside();
      break;
    }
  }
  if (!inside(ram, load, kernel.size)) return outside();
  return KernelPlacement{Gpa(load), Gpa(load + kernel.size)};
}

Result<InitrdPlacement> place_initrd(RamRange ram, Gpa kernel_end, uint64_t initrd_size,
                                     uint64_t top_reserve, PlacementError* why) {
  const auto too_big = [&] {
    return fail(PlacementError::kInitrdTooBig, Status::kOutOfRange, why);
  };
  const uint64_t half = ram.size / 2;
  uint64_t start = ram.base.raw() + (half < kInitrdOffsetCap ? half : kInitrdOffsetCap);
  if (kernel_end.raw() > start && !align_up(kernel_end.raw(), kPageSize4K, start)) return too_big();
  if (top_reserve > ram.size ||
      !inside(RamRange{ram.base, ram.size - top_reserve}, start, initrd_size))
    return too_big();
  return InitrdPlacement{Gpa(start), Gpa(start + initrd_size)};
}

}  // namespace tandem

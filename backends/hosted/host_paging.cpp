// SPDX-License-Identifier: Apache-2.0
#include "backends/hosted/host_paging.h"

#include <sys/mman.h>

#include <ctime>

namespace tandem::hosted {

constexpr size_t kHugeBytes = size_t{2} << 20;

Result<Hpa> HostPagingHandler::alloc_frames(size_t count, size_t align_frames) {
  if (count == 0 || align_frames == 0 || (align_frames & (align_frames - 1)) != 0)
    return Error(Status::kInvalidArgument);
  // Over-allocate by the alignment, then trim both ends so the kept range is aligned and every
  // frame can later be unmapped individually.
  const size_t align = align_frames * kFrameSize;
  const size_t len = count * kFrameSize;
  const size_t slack = align > kFrameSize ? align - kFrameSize : 0;
  void* p = mmap(nullptr, len + slack, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) return Error(Status::kNoMemory);
  auto base = reinterpret_cast<uintptr_t>(p);
  uintptr_t aligned = (base + align - 1) & ~(uintptr_t{align} - 1);
  if (aligned > base) munmap(p, aligned - base);
  uintptr_t end = base + len + slack;
  // Frames are integers by design (Hpa); these are the mmap'd addresses they came from.
  // NOLINTNEXTLINE(performance-no-int-to-ptr)
  if (end > aligned + len) munmap(reinterpret_cast<void*>(aligned + len), end - (aligned + len));
  // Like QEMU's guest RAM: transparent huge pages where the host offers them on request, so
  // the guest's memory costs the host's TLB far fewer entries.
  if (len >= kHugeBytes)
    madvise(reinterpret_cast<void*>(aligned), len, MADV_HUGEPAGE);  // NOLINT(*-no-int-to-ptr)
  m_in_use += count;
  return Hpa(aligned);
}

void HostPagingHandler::free_frames(Hpa pa, size_t count) {
  munmap(reinterpret_cast<void*>(pa.raw()), count * kFrameSize);  // NOLINT(*-no-int-to-ptr)
  m_in_use -= count;
}

uint64_t now_ns() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1'000'000'000ull + static_cast<uint64_t>(ts.tv_nsec);
}

}  // namespace tandem::hosted

// SPDX-License-Identifier: Apache-2.0
#include "core/bus/device_bus.h"

namespace tandem {

size_t DeviceBus::upper_bound(const Space& sp, uint64_t addr) {
  size_t lo = 0;
  size_t hi = sp.count;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (sp.ranges[mid].base <= addr) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo;
}

Result<void> DeviceBus::add(BusSpace space, uint64_t base, uint64_t size, Device& dev) {
  // The last byte is base + size - 1; a range ending exactly at 2^64 is allowed.
  if (size == 0 || base + (size - 1) < base) return Error(Status::kInvalidArgument);
  Space& sp = m_spaces[index(space)];
  size_t pos = upper_bound(sp, base);
  // Ranges are disjoint and sorted, so only the neighbours of the insertion point can overlap.
  if (pos > 0) {
    const Range& prev = sp.ranges[pos - 1];
    if (base - prev.base <= prev.size - 1) return Error(Status::kOverlap);
  }
  if (pos < sp.count && sp.ranges[pos].base - base <= size - 1) return Error(Status::kOverlap);
  if (sp.count == kMaxRanges) return Error(Status::kCapacity);
  for (size_t i = sp.count; i > pos; --i) sp.ranges[i] = sp.ranges[i - 1];
  sp.ranges[pos] = Range{base, size, &dev};
  ++sp.count;
  return ok();
}

BusHit DeviceBus::find(BusSpace space, uint64_t addr) const {
  const Space& sp = m_spaces[index(space)];
  size_t pos = upper_bound(sp, addr);
  if (pos == 0) return {};
  const Range& r = sp.ranges[pos - 1];
  uint64_t offset = addr - r.base;
  if (offset > r.size - 1) return {};
  return BusHit{r.device, offset, r.base, r.size};
}

const DeviceBus::Range* DeviceBus::search(const Space& sp, uint64_t addr, unsigned size) {
  if (size == 0) return nullptr;
  const size_t pos = upper_bound(sp, addr);
  if (pos == 0) return nullptr;
  const Range& r = sp.ranges[pos - 1];
  if (!holds(r.base, r.size, addr, size)) return nullptr;
  sp.last.store(static_cast<uint8_t>(pos - 1), std::memory_order_relaxed);
  return &r;
}

}  // namespace tandem

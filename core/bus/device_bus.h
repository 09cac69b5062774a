// SPDX-License-Identifier: Apache-2.0
// The device bus: MMIO, port-I/O and system-register ranges, each space kept sorted by base so
// a lookup is a binary search. Overlapping registrations are refused up front, which is what
// lets find() stop at the first candidate (after Firecracker's vm-device Bus).
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>

#include "core/base/result.h"
#include "core/bus/device.h"

namespace tandem {

enum class BusSpace : unsigned char { kMmio, kPort, kSysReg };

// device == nullptr means no device claims the address.
struct BusHit {
  Device* device = nullptr;
  uint64_t offset = 0;  // address - base
  uint64_t base = 0;
  uint64_t size = 0;
};

class DeviceBus {
 public:
  static constexpr size_t kMaxRanges = 64;  // per space
  static_assert(kMaxRanges <= 256, "Space::last holds an index in 8 bits");
  static constexpr size_t kSpaces = 3;

  DeviceBus() = default;
  DeviceBus(const DeviceBus&) = delete;
  DeviceBus& operator=(const DeviceBus&) = delete;

  // [base, base + size) must be non-empty, must not wrap past 2^64 (kInvalidArgument) and must
  // not overlap a range already in `space` (kOverlap). kCapacity when the space is full.
  [[nodiscard]] Result<void> add(BusSpace space, uint64_t base, uint64_t size, Device& dev);

  BusHit find(BusSpace space, uint64_t addr) const;

  // Dispatch at the offset relative to the device base. false when no device claims `addr` or
  // the access runs past the end of the device's range; `out` is then left untouched.
  // Inline: they are on every exit's path.
  bool read(BusSpace space, uint64_t addr, unsigned size, uint64_t& out) {
    const Range* r = range_for(space, addr, size);
    if (r == nullptr) return false;
    out = r->device->read(addr - r->base, size);
    return true;
  }
  bool write(BusSpace space, uint64_t addr, unsigned size, uint64_t value) {
    const Range* r = range_for(space, addr, size);
    if (r == nullptr) return false;
    r->device->write(addr - r->base, size, value);
    return true;
  }

  size_t count(BusSpace space) const { return m_spaces[index(space)].count; }

 private:
  struct Range {
    uint64_t base;
    uint64_t size;
    Device* device;
  };
  struct Space {
    std::array<Range, kMaxRanges> ranges{};
    size_t count = 0;
    // The range of the last access: a guest polls one register at a time, so it is the next
    // access's range more often than not, which saves the binary search. A hint only: read
    // without ordering (vCPU threads may share the bus) and checked before use.
    mutable std::atomic<uint8_t> last{0};
  };

  static constexpr size_t index(BusSpace s) { return static_cast<size_t>(s); }
  // Index of the first range whose base is greater than addr.
  static size_t upper_bound(const Space& sp, uint64_t addr);
  // Whether all `size` (> 0) bytes at `addr` lie in [base, base + range_size). offset <=
  // range_size - 1 is checked first, so the second subtraction cannot wrap.
  static bool holds(uint64_t base, uint64_t range_size, uint64_t addr, unsigned size) {
    const uint64_t offset = addr - base;
    return offset <= range_size - 1 && size - 1 <= range_size - 1 - offset;
  }
  // The range that holds all `size` bytes at `addr`, or null: the last hit's range when it
  // does (inline), else search(). A pointer, not a BusHit: a struct returned through memory
  // and read back at once stalls store forwarding.
  const Range* range_for(BusSpace space, uint64_t addr, unsigned size) const {
    const Space& sp = m_spaces[index(space)];
    const size_t last = sp.last.load(std::memory_order_relaxed);
    if (size != 0 && last < sp.count &&
        holds(sp.ranges[last].base, sp.ranges[last].size, addr, size))
      return &sp.ranges[last];
    return search(sp, addr, size);
  }
  // The binary search behind range_for(); remembers the range it finds.
  static const Range* search(const Space& sp, uint64_t addr, unsigned size);

  std::array<Space, kSpaces> m_spaces{};
};

}  // namespace tandem

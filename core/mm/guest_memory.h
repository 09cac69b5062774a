// SPDX-License-Identifier: Apache-2.0
// The hypervisor's view of guest RAM, for devices (DMA) and loaders: copies in and out by
// walking the stage-2 table page by page, so it works the same whatever backs the RAM.
// Only normal-memory RAM is reachable: an access touching anything else fails as a whole
// (kNotMapped where there is no region, kPermission for MMIO, reserved or device ranges) and
// writes nothing. Stage-2 permissions restrict the guest, not this accessor, so a loader can
// fill read-only RAM. On-demand RAM is populated on first touch.
#pragma once

#include <array>
#include <bit>
#include <cstdint>
#include <span>
#include <type_traits>

#include "core/base/addr.h"
#include "core/base/result.h"
#include "core/mm/address_space.h"

namespace tandem {

class GuestMemory {
 public:
  explicit GuestMemory(AddressSpace& space) : m_space(&space) {}

  [[nodiscard]] Result<void> read(Gpa gpa, std::span<uint8_t> out);
  [[nodiscard]] Result<void> write(Gpa gpa, std::span<const uint8_t> in);
  [[nodiscard]] Result<void> fill(Gpa gpa, uint64_t size, uint8_t byte);

  template <class T>
  requires std::is_trivially_copyable_v<T>
  [[nodiscard]] Result<T> read_obj(Gpa gpa) {
    std::array<uint8_t, sizeof(T)> bytes;
    TRY(read(gpa, bytes));
    return std::bit_cast<T>(bytes);
  }

  template <class T>
  requires std::is_trivially_copyable_v<T>
  [[nodiscard]] Result<void> write_obj(Gpa gpa, const T& value) {
    const auto bytes = std::bit_cast<std::array<uint8_t, sizeof(T)>>(value);
    return write(gpa, bytes);
  }

 private:
  // What to do with each host chunk: copy out to `dst`, copy in from `src`, or set to `byte`.
  struct Copy {
    uint8_t* dst = nullptr;
    const uint8_t* src = nullptr;
    uint8_t byte = 0;
  };

  Result<void> access(Gpa gpa, uint64_t size, const Copy& copy);
  Result<void> check(Gpa gpa, uint64_t size);
  Result<uint8_t*> host_page(Gpa gpa) const;
  static void apply(uint8_t* host, uint64_t done, uint64_t chunk, const Copy& copy);

  AddressSpace* m_space;
};

}  // namespace tandem

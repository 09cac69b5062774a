// SPDX-License-Identifier: Apache-2.0
// What a stage-2 mapping allows the guest to do, independent of the page-table format.
#pragma once

#include <cstdint>

namespace tandem {

// Normal memory is guest RAM (write-back cacheable). Device memory is for passthrough MMIO:
// uncached, and the guest-memory accessor refuses it.
enum class MemKind : uint8_t { kNormal, kDevice };

struct MemFlags {
  bool read = false;
  bool write = false;
  bool exec = false;
  MemKind kind = MemKind::kNormal;

  constexpr bool operator==(const MemFlags&) const = default;
};

inline constexpr MemFlags kMemRo{true, false, false, MemKind::kNormal};
inline constexpr MemFlags kMemRw{true, true, false, MemKind::kNormal};
inline constexpr MemFlags kMemRx{true, false, true, MemKind::kNormal};
inline constexpr MemFlags kMemRwx{true, true, true, MemKind::kNormal};
inline constexpr MemFlags kMemDevice{true, true, false, MemKind::kDevice};

}  // namespace tandem

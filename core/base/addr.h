// SPDX-License-Identifier: Apache-2.0
// Strong address types: a guest-physical address cannot be passed where a host-physical one
// is expected, and there is no arithmetic across kinds.
#pragma once

#include <compare>
#include <cstdint>

namespace tandem {

template <class Tag>
struct Addr {
  uint64_t value = 0;

  constexpr Addr() = default;
  constexpr explicit Addr(uint64_t v) : value(v) {}

  constexpr uint64_t raw() const { return value; }
  constexpr Addr operator+(uint64_t off) const { return Addr(value + off); }
  constexpr Addr operator-(uint64_t off) const { return Addr(value - off); }
  constexpr Addr& operator+=(uint64_t off) {
    value += off;
    return *this;
  }
  // Distance between two addresses of the same kind.
  constexpr uint64_t operator-(Addr other) const { return value - other.value; }
  // NOLINTNEXTLINE(modernize-use-nullptr): clang-tidy 14 misreads a defaulted <=>
  constexpr auto operator<=>(const Addr&) const = default;

  constexpr bool is_aligned(uint64_t align) const { return (value & (align - 1)) == 0; }
  constexpr Addr align_down(uint64_t align) const { return Addr(value & ~(align - 1)); }
  constexpr Addr align_up(uint64_t align) const { return Addr((value + align - 1) & ~(align - 1)); }
  constexpr uint64_t page_offset(uint64_t page = 4096) const { return value & (page - 1); }
};

struct GpaTag {};
struct HpaTag {};
struct HvaTag {};
struct GvaTag {};

using Gpa = Addr<GpaTag>;  // guest physical (IPA on Arm)
using Hpa = Addr<HpaTag>;  // host physical: what stage-2 tables point at
using Hva = Addr<HvaTag>;  // host virtual: where the hypervisor can dereference
using Gva = Addr<GvaTag>;  // guest virtual

template <class T = void>
inline T* to_ptr(Hva va) {
  // An Hva is the integer form of a pointer by design (the HAL's phys_to_virt).
  // NOLINTNEXTLINE(performance-no-int-to-ptr)
  return reinterpret_cast<T*>(static_cast<uintptr_t>(va.value));
}
inline Hva to_hva(const void* p) { return Hva(reinterpret_cast<uintptr_t>(p)); }

inline constexpr uint64_t kPageSize4K = 4096;
inline constexpr uint64_t kPageSize2M = 2ull << 20;
inline constexpr uint64_t kPageSize1G = 1ull << 30;

}  // namespace tandem

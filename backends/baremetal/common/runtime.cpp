// SPDX-License-Identifier: Apache-2.0
// The symbols compiled C++ still needs with -nostdlib (exactly cmake/freestanding-runtime.txt).
// This file is built with -fno-tree-loop-distribute-patterns, or GCC would turn the loops
// below back into calls to themselves. Word-sized accesses only where both sides are aligned:
// with the MMU off every access is to Device memory, where an unaligned one faults.
#include <cstddef>
#include <cstdint>

#include "backends/baremetal/common/panic.h"

namespace {

bool word_aligned(const void* a, const void* b) {
  return ((reinterpret_cast<uintptr_t>(a) | reinterpret_cast<uintptr_t>(b)) & 7) == 0;
}

}  // namespace

extern "C" {

void* memcpy(void* dst, const void* src, size_t n) {
  auto* d = static_cast<uint8_t*>(dst);
  const auto* s = static_cast<const uint8_t*>(src);
  if (word_aligned(d, s)) {
    for (; n >= 8; n -= 8, d += 8, s += 8) {
      *reinterpret_cast<uint64_t*>(d) = *reinterpret_cast<const uint64_t*>(s);
    }
  }
  while (n-- > 0) *d++ = *s++;
  return dst;
}

void* memmove(void* dst, const void* src, size_t n) {
  auto* d = static_cast<uint8_t*>(dst);
  const auto* s = static_cast<const uint8_t*>(src);
  if (d <= s || d >= s + n) return memcpy(dst, src, n);
  // Overlapping with the destination above the source: copy from the end.
  while (n-- > 0) d[n] = s[n];
  return dst;
}

void* memset(void* dst, int c, size_t n) {
  auto* d = static_cast<uint8_t*>(dst);
  const auto byte = static_cast<uint8_t>(c);
  while (n > 0 && (reinterpret_cast<uintptr_t>(d) & 7) != 0) {
    *d++ = byte;
    n--;
  }
  const uint64_t word = byte * 0x0101'0101'0101'0101ull;
  for (; n >= 8; n -= 8, d += 8) *reinterpret_cast<uint64_t*>(d) = word;
  while (n-- > 0) *d++ = byte;
  return dst;
}

int memcmp(const void* a, const void* b, size_t n) {
  const auto* x = static_cast<const uint8_t*>(a);
  const auto* y = static_cast<const uint8_t*>(b);
  for (size_t i = 0; i < n; i++) {
    if (x[i] != y[i]) return x[i] < y[i] ? -1 : 1;
  }
  return 0;
}

// Referenced by the deleting destructors of classes with virtual destructors; nothing in the
// image allocates with new, so a call means memory corruption.
void __cxa_pure_virtual() { tandem::baremetal::panic("pure virtual function called"); }

}  // extern "C"

void operator delete(void*) noexcept { tandem::baremetal::panic("operator delete called"); }
void operator delete(void*, size_t) noexcept { tandem::baremetal::panic("operator delete called"); }

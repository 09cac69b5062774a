// SPDX-License-Identifier: Apache-2.0
// Builders for multiboot test images: an ELF32 EM_386 executable with the header in its first
// segment, and a flat a.out-kludge image.
#pragma once

#include <cstdint>
#include <cstring>
#include <vector>

#include "core/loader/multiboot.h"

namespace tandem::multiboot::testing {

inline void put32(std::vector<uint8_t>& b, size_t off, uint32_t v) {
  if (b.size() < off + 4) b.resize(off + 4);
  std::memcpy(b.data() + off, &v, 4);
}

inline void put16(std::vector<uint8_t>& b, size_t off, uint16_t v) {
  if (b.size() < off + 2) b.resize(off + 2);
  std::memcpy(b.data() + off, &v, 2);
}

// magic, flags, checksum at `off`.
inline void put_header(std::vector<uint8_t>& b, size_t off, uint32_t flags) {
  put32(b, off, kHeaderMagic);
  put32(b, off + 4, flags);
  put32(b, off + 8, 0u - kHeaderMagic - flags);
}

struct ElfSegment {
  uint32_t vaddr, paddr;
  std::vector<uint8_t> bytes;
  uint32_t mem_size;
};

// ELF header at 0, program headers at 52, segment bytes from 0x100 on (each 16-aligned).
inline std::vector<uint8_t> make_elf32(uint32_t entry, const std::vector<ElfSegment>& segments) {
  std::vector<uint8_t> b(0x100, 0);
  const uint8_t ident[] = {0x7f, 'E', 'L', 'F', 1, 1, 1};
  std::memcpy(b.data(), ident, sizeof ident);
  put16(b, 16, 2);  // ET_EXEC
  put16(b, 18, 3);  // EM_386
  put32(b, 20, 1);  // EV_CURRENT
  put32(b, 24, entry);
  put32(b, 28, 52);  // e_phoff
  put16(b, 40, 52);  // e_ehsize
  put16(b, 42, 32);  // e_phentsize
  put16(b, 44, static_cast<uint16_t>(segments.size()));
  size_t data = 0x100;
  for (size_t i = 0; i < segments.size(); ++i) {
    const ElfSegment& s = segments[i];
    const size_t ph = 52 + 32 * i;
    put32(b, ph, 1);  // PT_LOAD
    put32(b, ph + 4, static_cast<uint32_t>(data));
    put32(b, ph + 8, s.vaddr);
    put32(b, ph + 12, s.paddr);
    put32(b, ph + 16, static_cast<uint32_t>(s.bytes.size()));
    put32(b, ph + 20, s.mem_size);
    put32(b, ph + 24, 7);  // RWX
    b.resize(data + s.bytes.size());
    if (!s.bytes.empty()) std::memcpy(b.data() + data, s.bytes.data(), s.bytes.size());
    data = (data + s.bytes.size() + 15) & ~size_t{15};
  }
  return b;
}

// A segment body that starts with a multiboot header (flags `flags`) followed by `tail`.
inline std::vector<uint8_t> header_then(uint32_t flags, const std::vector<uint8_t>& tail) {
  std::vector<uint8_t> b;
  put_header(b, 0, flags);
  b.insert(b.end(), tail.begin(), tail.end());
  return b;
}

}  // namespace tandem::multiboot::testing

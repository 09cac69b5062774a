// SPDX-License-Identifier: Apache-2.0
#include "device_tree.h"

#include "platform.h"

extern "C" {
std::uint64_t guest_boot_dtb;
}

namespace guest {
namespace {

constexpr std::uint32_t kMagic = 0xd00dfeed;
constexpr std::uint32_t kBeginNode = 1, kEndNode = 2, kProp = 3, kNop = 4, kEnd = 9;
constexpr unsigned kMaxPath = 256;
constexpr int kMaxDepth = 16;

}  // namespace

std::uint32_t fdt_be32(const std::uint8_t* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) |
         p[3];
}

const std::uint8_t* device_tree() {
  const auto* given = reinterpret_cast<const std::uint8_t*>(guest_boot_dtb);
  if (given != nullptr && fdt_be32(given) == kMagic) return given;
  const auto* at_base = reinterpret_cast<const std::uint8_t*>(kRamBase);
  if (given == nullptr && fdt_be32(at_base) == kMagic) return at_base;
  return nullptr;
}

bool fdt_walk(const std::uint8_t* blob, FdtVisitor& visitor) {
  if (fdt_be32(blob) != kMagic) return false;
  const std::uint32_t off_struct = fdt_be32(blob + 8), off_strings = fdt_be32(blob + 12);
  const std::uint32_t size_strings = fdt_be32(blob + 32), size_struct = fdt_be32(blob + 36);
  const std::uint8_t* s = blob + off_struct;
  const char* strings = reinterpret_cast<const char*>(blob + off_strings);
  // path holds "/a/b" for the current node; ends[d] is its length at depth d (0 for the root,
  // whose path prints as "/").
  // (Not zero-initialised: that would call memset, which guests do not have.)
  char path[kMaxPath];
  unsigned ends[kMaxDepth + 1];
  path[0] = 0;
  ends[0] = 0;
  int depth = -1;
  const auto here = [&] { return depth <= 0 ? "/" : static_cast<const char*>(path); };
  for (std::uint32_t at = 0; at + 4 <= size_struct;) {
    const std::uint32_t token = fdt_be32(s + at);
    at += 4;
    if (token == kBeginNode) {
      const char* name = reinterpret_cast<const char*>(s + at);
      unsigned n = 0;
      while (at + n < size_struct && name[n] != 0) n++;
      if (++depth > kMaxDepth) return false;
      if (depth > 0) {
        const unsigned start = ends[depth - 1];
        if (start + 1 + n >= kMaxPath) return false;
        path[start] = '/';
        for (unsigned i = 0; i < n; i++) path[start + 1 + i] = name[i];
        ends[depth] = start + 1 + n;
        path[ends[depth]] = 0;
      }
      visitor.node(here(), depth);
      at += (n + 4) & ~3u;
    } else if (token == kEndNode) {
      if (depth < 0) return false;
      depth--;
      path[depth > 0 ? ends[depth] : 0] = 0;
    } else if (token == kProp) {
      if (at + 8 > size_struct || depth < 0) return false;
      const std::uint32_t len = fdt_be32(s + at), nameoff = fdt_be32(s + at + 4);
      at += 8;
      if (nameoff >= size_strings || len > size_struct - at) return false;
      visitor.property(here(), strings + nameoff, s + at, len);
      at += (len + 3) & ~3u;
    } else if (token == kEnd) {
      return depth == -1;
    } else if (token != kNop) {
      return false;
    }
  }
  return false;
}

}  // namespace guest

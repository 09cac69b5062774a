// SPDX-License-Identifier: Apache-2.0
#include "core/fdt/fdt.h"

namespace tandem::fdt {
namespace {

// Structure block tokens (DTSpec v0.4, 5.4.1 "Lexical structure").
constexpr uint32_t kBeginNode = 1;
constexpr uint32_t kEndNode = 2;
constexpr uint32_t kProp = 3;
constexpr uint32_t kNop = 4;
constexpr uint32_t kEnd = 9;

// Cell counts a node's children get when it has no #address-cells / #size-cells (DTSpec
// 2.3.5 "#address-cells and #size-cells").
constexpr uint32_t kDefaultAddressCells = 2;
constexpr uint32_t kDefaultSizeCells = 1;

uint32_t be32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}
uint64_t be64(const uint8_t* p) { return (uint64_t{be32(p)} << 32) | be32(p + 4); }
uint64_t align4(uint64_t v) { return (v + 3) & ~uint64_t{3}; }

// Length of the NUL-terminated string at `at` inside `s`, or -1 when no NUL follows in range.
int64_t bounded_strlen(std::span<const uint8_t> s, uint64_t at) {
  for (uint64_t i = at; i < s.size(); i++) {
    if (s[i] == 0) return static_cast<int64_t>(i - at);
  }
  return -1;
}

bool equal(const char* a, size_t alen, const char* b, size_t blen) {
  if (alen != blen) return false;
  for (size_t i = 0; i < alen; i++) {
    if (a[i] != b[i]) return false;
  }
  return true;
}

size_t cstr_len(const char* s) {
  size_t n = 0;
  while (s[n] != 0) n++;
  return n;
}

// A path component matches the node name exactly, or names it without its unit address
// ("memory" matches "memory@40000000"; DTSpec 2.2.1 "Node names").
bool name_matches(const char* name, size_t nlen, const char* comp, size_t clen) {
  if (equal(name, nlen, comp, clen)) return true;
  for (size_t i = 0; i < clen; i++) {
    if (comp[i] == '@') return false;
  }
  return nlen > clen && name[clen] == '@' && equal(name, clen, comp, clen);
}

}  // namespace

struct Fdt::Token {
  uint32_t kind = 0;
  uint32_t next = 0;           // offset of the following token
  const char* name = nullptr;  // node name or property name
  size_t name_len = 0;
  Property value;  // kProp only
};

Result<uint32_t> Fdt::total_size(std::span<const uint8_t> header) {
  if (header.size() < kFdtHeaderSize || be32(header.data()) != kFdtMagic) {
    return Error(Status::kBadImage);
  }
  const uint32_t size = be32(header.data() + 4);
  if (size < kFdtHeaderSize) return Error(Status::kBadImage);
  return size;
}

Result<Fdt> Fdt::open(std::span<const uint8_t> blob) {
  const uint32_t total = TRY(total_size(blob));
  if (total > blob.size()) return Error(Status::kBadImage);
  const uint8_t* h = blob.data();
  const uint32_t off_struct = be32(h + 8), off_strings = be32(h + 12), off_rsvmap = be32(h + 16);
  const uint32_t version = be32(h + 20), last_comp = be32(h + 24);
  const uint32_t size_strings = be32(h + 32), size_struct = be32(h + 36);
  // size_dt_struct exists from version 17; a blob that cannot be read as 17 is refused.
  if (version < 17 || last_comp > 17) return Error(Status::kBadImage);
  const auto inside = [total](uint64_t off, uint64_t size) {
    return off >= kFdtHeaderSize && off + size <= total;
  };
  if (!inside(off_struct, size_struct) || !inside(off_strings, size_strings) ||
      !inside(off_rsvmap, 16) || (off_struct & 3) != 0) {
    return Error(Status::kBadImage);
  }
  return Fdt(blob.first(total), off_struct, size_struct, off_strings, size_strings, off_rsvmap);
}

Result<Fdt::Token> Fdt::token_at(uint32_t offset) const {
  const uint64_t size = m_struct.size();
  if ((offset & 3) != 0 || uint64_t{offset} + 4 > size) return Error(Status::kBadImage);
  const uint8_t* p = m_struct.data() + offset;
  Token t;
  t.kind = be32(p);
  uint64_t next = uint64_t{offset} + 4;
  switch (t.kind) {
    case kBeginNode: {
      const int64_t len = bounded_strlen(m_struct, next);
      if (len < 0) return Error(Status::kBadImage);
      t.name = reinterpret_cast<const char*>(p + 4);
      t.name_len = static_cast<size_t>(len);
      next = align4(next + static_cast<uint64_t>(len) + 1);
      break;
    }
    case kProp: {
      if (uint64_t{offset} + 12 > size) return Error(Status::kBadImage);
      const uint32_t len = be32(p + 4), nameoff = be32(p + 8);
      if (uint64_t{offset} + 12 + len > size) return Error(Status::kBadImage);
      const int64_t nlen = bounded_strlen(m_strings, nameoff);
      if (nlen < 0) return Error(Status::kBadImage);
      t.name = reinterpret_cast<const char*>(m_strings.data() + nameoff);
      t.name_len = static_cast<size_t>(nlen);
      t.value = Property{p + 12, len};
      next = align4(uint64_t{offset} + 12 + len);
      break;
    }
    case kEndNode:
    case kNop:
    case kEnd: break;
    default: return Error(Status::kBadImage);
  }
  // The last token may end exactly at the end of the block; align4 cannot pass 2^32 here
  // because `size` fits in 32 bits.
  t.next = static_cast<uint32_t>(next);
  return t;
}

Result<Node> Fdt::root() const {
  uint32_t off = 0;
  for (;;) {
    const Token t = TRY(token_at(off));
    if (t.kind == kBeginNode) return Node{off, kDefaultAddressCells, kDefaultSizeCells};
    if (t.kind != kNop) return Error(Status::kBadImage);
    off = t.next;
  }
}

Result<uint32_t> Fdt::first_child_or_end(const Node& node) const {
  Token t = TRY(token_at(node.offset));
  if (t.kind != kBeginNode) return Error(Status::kBadImage);
  for (;;) {
    const uint32_t off = t.next;
    t = TRY(token_at(off));
    if (t.kind != kProp && t.kind != kNop) return off;
  }
}

Result<uint32_t> Fdt::skip_subtree(uint32_t offset) const {
  uint32_t depth = 0;
  for (;;) {
    const Token t = TRY(token_at(offset));
    if (t.kind == kBeginNode) depth++;
    if (t.kind == kEndNode) {
      if (depth == 0) return Error(Status::kBadImage);
      if (--depth == 0) return t.next;
    }
    if (t.kind == kEnd) return Error(Status::kBadImage);
    offset = t.next;  // strictly increasing, so the walk ends
  }
}

Result<Node> Fdt::with_own_cells(const Node& node, uint32_t offset) const {
  // The cells a node states apply to its children's "reg".
  Node n{offset, kDefaultAddressCells, kDefaultSizeCells};
  if (auto ac = property_u32(node, "#address-cells")) n.address_cells = *ac;
  if (auto sc = property_u32(node, "#size-cells")) n.size_cells = *sc;
  return n;
}

Result<Node> Fdt::child(const Node& parent, const char* name, size_t len) const {
  uint32_t off = TRY(first_child_or_end(parent));
  for (;;) {
    const Token t = TRY(token_at(off));
    if (t.kind == kNop) {
      off = t.next;
      continue;
    }
    if (t.kind != kBeginNode) return Error(Status::kNotFound);
    if (name_matches(t.name, t.name_len, name, len)) return with_own_cells(parent, off);
    off = TRY(skip_subtree(off));
  }
}

Result<Node> Fdt::find_node(const char* path, size_t len) const {
  if (len == 0 || path[0] != '/') return Error(Status::kInvalidArgument);
  Node node = TRY(root());
  size_t i = 0;
  while (i < len) {
    while (i < len && path[i] == '/') i++;
    size_t end = i;
    while (end < len && path[end] != '/') end++;
    if (end > i) node = TRY(child(node, path + i, end - i));
    i = end;
  }
  return node;
}

Result<Property> Fdt::property(const Node& node, const char* name) const {
  const size_t len = cstr_len(name);
  Token t = TRY(token_at(node.offset));
  if (t.kind != kBeginNode) return Error(Status::kBadImage);
  for (;;) {
    t = TRY(token_at(t.next));
    if (t.kind == kNop) continue;
    if (t.kind != kProp) return Error(Status::kNotFound);
    if (equal(t.name, t.name_len, name, len)) return t.value;
  }
}

Result<uint32_t> Fdt::property_u32(const Node& node, const char* name) const {
  const Property p = TRY(property(node, name));
  if (p.size != 4) return Error(Status::kBadImage);
  return be32(p.data);
}

Result<MemRange> Fdt::reg(const Node& node, size_t index) const {
  const Property p = TRY(property(node, "reg"));
  const uint32_t ac = node.address_cells, sc = node.size_cells;
  // One or two cells per number is all a 64-bit address or size needs.
  if (ac < 1 || ac > 2 || sc > 2) return Error(Status::kUnsupported);
  const uint64_t entry = (ac + sc) * 4ull;
  if ((index + 1) * entry > p.size) return Error(Status::kNotFound);
  const uint8_t* e = p.data + index * entry;
  MemRange r;
  r.base = ac == 2 ? be64(e) : be32(e);
  if (sc == 2) r.size = be64(e + size_t{ac} * 4);
  if (sc == 1) r.size = be32(e + size_t{ac} * 4);
  return r;
}

bool Fdt::is_compatible(const Node& node, const char* compat) const {
  auto p = property(node, "compatible");
  if (!p) return false;
  const size_t want = cstr_len(compat);
  size_t start = 0;
  for (size_t i = 0; i < p->size; i++) {
    if (p->data[i] != 0) continue;
    if (equal(reinterpret_cast<const char*>(p->data + start), i - start, compat, want)) {
      return true;
    }
    start = i + 1;
  }
  return false;
}

void Fdt::collect_reg(const Node& node, std::span<MemRange> out, size_t& count) const {
  for (size_t i = 0;; i++) {
    auto range = reg(node, i);
    if (!range) return;
    if (count < out.size()) out[count] = *range;
    count++;
  }
}

Result<size_t> Fdt::memory(std::span<MemRange> out) const {
  const Node r = TRY(root());
  uint32_t off = TRY(first_child_or_end(r));
  size_t count = 0;
  for (;;) {
    const Token t = TRY(token_at(off));
    if (t.kind == kNop) {
      off = t.next;
      continue;
    }
    if (t.kind != kBeginNode) return count;
    const Node n = TRY(with_own_cells(r, off));
    auto type = property(n, "device_type");
    if (type && equal(reinterpret_cast<const char*>(type->data), type->size, "memory", 7)) {
      collect_reg(n, out, count);
    }
    off = TRY(skip_subtree(off));
  }
}

Result<size_t> Fdt::reserved(std::span<MemRange> out) const {
  size_t count = 0;
  for (uint64_t off = m_rsvmap_offset;; off += 16) {
    if (off + 16 > m_blob.size()) return Error(Status::kBadImage);
    const MemRange r{be64(m_blob.data() + off), be64(m_blob.data() + off + 8)};
    if (r.base == 0 && r.size == 0) break;
    if (count < out.size()) out[count] = r;
    count++;
  }
  // DTSpec 3.5 "/reserved-memory node": each child's reg is a reserved range.
  auto parent = find_node("/reserved-memory", 16);
  if (!parent) {
    if (parent.error() != Status::kNotFound) return Error(parent.error());
    return count;
  }
  uint32_t off = TRY(first_child_or_end(*parent));
  for (;;) {
    const Token t = TRY(token_at(off));
    if (t.kind == kNop) {
      off = t.next;
      continue;
    }
    if (t.kind != kBeginNode) return count;
    collect_reg(TRY(with_own_cells(*parent, off)), out, count);
    off = TRY(skip_subtree(off));
  }
}

Result<Node> Fdt::stdout_node() const {
  const Node chosen = TRY(find_node("/chosen", 7));
  auto p = property(chosen, "stdout-path");
  if (!p) p = property(chosen, "linux,stdout-path");
  if (!p) return Error(Status::kNotFound);
  const char* path = reinterpret_cast<const char*>(p->data);
  size_t len = 0;
  while (len < p->size && path[len] != 0 && path[len] != ':') len++;
  if (len == p->size || len == 0) return Error(Status::kBadImage);  // no terminator in range
  if (path[0] == '/') return find_node(path, len);
  // An alias: /aliases holds "<name> = <path>" (DTSpec 3.3 "/aliases node").
  const Node aliases = TRY(find_node("/aliases", 8));
  uint32_t off = TRY(token_at(aliases.offset)).next;
  for (;;) {
    const Token t = TRY(token_at(off));
    off = t.next;
    if (t.kind == kNop) continue;
    if (t.kind != kProp) return Error(Status::kNotFound);
    if (!equal(t.name, t.name_len, path, len)) continue;
    const char* target = reinterpret_cast<const char*>(t.value.data);
    size_t tlen = 0;
    while (tlen < t.value.size && target[tlen] != 0) tlen++;
    if (tlen == t.value.size) return Error(Status::kBadImage);
    return find_node(target, tlen);
  }
}

}  // namespace tandem::fdt

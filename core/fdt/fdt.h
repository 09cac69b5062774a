// SPDX-License-Identifier: Apache-2.0
// A read-only, bounds-checked reader for the flattened devicetree (DTB) that firmware or QEMU
// hands a bare-metal image: RAM (memory nodes, /memreserve/), and the console named by
// /chosen stdout-path. Every offset read from the blob is checked against the blob's size
// before use, so a malformed DTB yields kBadImage, never an out-of-range read.
//
// Blob layout (Devicetree Specification v0.4, chapter 5 "Flattened Devicetree (DTB) Format"):
//
//  +-------------------+ 0
//  | fdt_header (40 B) |  big-endian u32: magic 0xd00dfeed, totalsize, off_dt_struct,
//  +-------------------+  off_dt_strings, off_mem_rsvmap, version, last_comp_version, ...
//  | memory reservation|  {u64 address, u64 size} pairs, ended by {0, 0}
//  +-------------------+
//  | structure block   |  tokens: BEGIN_NODE name\0 | PROP len nameoff value | NOP |
//  |                   |          END_NODE | END, each 4-byte aligned
//  +-------------------+
//  | strings block     |  property names, NUL-terminated
//  +-------------------+ totalsize
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "core/base/result.h"

namespace tandem::fdt {

inline constexpr uint32_t kFdtMagic = 0xd00dfeed;
inline constexpr size_t kFdtHeaderSize = 40;

struct MemRange {
  uint64_t base = 0;
  uint64_t size = 0;
};

// A node: where its BEGIN_NODE token is, and the #address-cells/#size-cells its parent gives
// for decoding its "reg".
struct Node {
  uint32_t offset = 0;  // into the structure block
  uint32_t address_cells = 2;
  uint32_t size_cells = 1;
};

// A property value inside the blob (not NUL-terminated unless the property is a string).
struct Property {
  const uint8_t* data = nullptr;
  uint32_t size = 0;
};

class Fdt {
 public:
  // Checks the header (magic, version >= 16, every block inside totalsize, totalsize inside
  // `blob`). `blob` may be longer than the DTB.
  [[nodiscard]] static Result<Fdt> open(std::span<const uint8_t> blob);
  // totalsize from a header alone (for sizing a blob firmware passed by pointer).
  [[nodiscard]] static Result<uint32_t> total_size(std::span<const uint8_t> header);

  uint32_t total_size() const { return static_cast<uint32_t>(m_blob.size()); }
  const uint8_t* data() const { return m_blob.data(); }

  // reg entries of every root child with device_type = "memory", in order. Returns how many
  // were found; only the first out.size() are stored.
  [[nodiscard]] Result<size_t> memory(std::span<MemRange> out) const;
  // RAM the OS must leave alone (same counting rule): the /memreserve/ entries, then the reg
  // of every child of /reserved-memory (firmware such as OpenSBI adds its own there).
  [[nodiscard]] Result<size_t> reserved(std::span<MemRange> out) const;

  // The node /chosen "stdout-path" names: options after ':' are dropped and an alias (no
  // leading '/') is looked up in /aliases. kNotFound when there is none.
  [[nodiscard]] Result<Node> stdout_node() const;

  // "/a/b@1": a component without a unit address matches a node name with one.
  [[nodiscard]] Result<Node> find_node(const char* path, size_t len) const;
  [[nodiscard]] Result<Property> property(const Node& node, const char* name) const;
  // The index-th (address, size) pair of "reg", decoded with the parent's cell counts.
  [[nodiscard]] Result<MemRange> reg(const Node& node, size_t index) const;
  // One-cell property, e.g. "reg-shift".
  [[nodiscard]] Result<uint32_t> property_u32(const Node& node, const char* name) const;
  // Whether `compat` is one of the strings of the node's "compatible" list.
  bool is_compatible(const Node& node, const char* compat) const;

 private:
  struct Token;

  Fdt(std::span<const uint8_t> blob, uint32_t off_struct, uint32_t size_struct,
      uint32_t off_strings, uint32_t size_strings, uint32_t off_rsvmap)
      : m_blob(blob),
        m_struct(blob.subspan(off_struct, size_struct)),
        m_strings(blob.subspan(off_strings, size_strings)),
        m_rsvmap_offset(off_rsvmap) {}

  Result<Token> token_at(uint32_t offset) const;
  Result<uint32_t> first_child_or_end(const Node& node) const;
  Result<uint32_t> skip_subtree(uint32_t offset) const;
  Result<Node> child(const Node& parent, const char* name, size_t len) const;
  Result<Node> root() const;
  Result<Node> with_own_cells(const Node& node, uint32_t offset) const;
  // Appends the reg entries of `node` to out[count..], counting past out.size().
  void collect_reg(const Node& node, std::span<MemRange> out, size_t& count) const;

  std::span<const uint8_t> m_blob;
  std::span<const uint8_t> m_struct;
  std::span<const uint8_t> m_strings;
  uint32_t m_rsvmap_offset;
};

}  // namespace tandem::fdt

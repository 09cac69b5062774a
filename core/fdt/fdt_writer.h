// SPDX-License-Identifier: Apache-2.0
// Builds a flattened devicetree (DTB, DTSpec v0.4 chapter 5) into a caller's buffer, node by
// node in depth-first order, as libfdt's sequential-write mode does. The layout is the one
// fdt.h draws: header, an empty memory reservation map, the structure block, then the strings
// block (property names, each stored once). Running out of room or unbalanced nodes make
// finish() fail; nothing is written past the buffer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "core/base/result.h"

namespace tandem::fdt {

class FdtWriter {
 public:
  explicit FdtWriter(std::span<uint8_t> out);
  FdtWriter(const FdtWriter&) = delete;
  FdtWriter& operator=(const FdtWriter&) = delete;

  // "" is the root; others are "name" or "name@unit-address".
  void begin_node(const char* name);
  // begin_node("name@<base in hex>").
  void begin_node_at(const char* name, uint64_t base);
  void end_node();

  void property(const char* name, std::span<const uint8_t> value);
  void property_empty(const char* name) { property(name, {}); }
  void property_u32(const char* name, uint32_t value) { property_cells(name, value); }
  void property_string(const char* name, const char* value);
  // A string list given as one literal with embedded NULs, e.g. "arm,pl011\0arm,primecell";
  // `size` is sizeof the literal (its last NUL included).
  void property_strings(const char* name, const char* list, size_t size);
  // Big-endian 32-bit cells.
  void property_cells(const char* name, std::span<const uint32_t> cells);
  template <class... C>
  void property_cells(const char* name, C... cells) {
    const uint32_t values[] = {static_cast<uint32_t>(cells)...};
    property_cells(name, std::span<const uint32_t>(values));
  }
  // reg with two address and two size cells (the root's and a simple-bus's here).
  void property_reg(uint64_t base, uint64_t size);

  // Completes the blob. The DTB's size; kCapacity when it did not fit, kInvalidArgument when a
  // node was left open or closed twice.
  [[nodiscard]] Result<size_t> finish();

 private:
  void put32(uint32_t v);
  void put_bytes(const void* data, size_t size);
  void pad4();
  uint32_t string_offset(const char* name);

  static constexpr size_t kMaxStrings = 1024;

  std::span<uint8_t> m_out;
  size_t m_pos;  // next structure-block byte
  int m_depth = 0;
  bool m_overflow = false;
  bool m_unbalanced = false;
  char m_strings[kMaxStrings] = {};
  size_t m_strings_size = 0;
};

}  // namespace tandem::fdt

// SPDX-License-Identifier: Apache-2.0
// A device register's name for trace lines (Device::register_name), formatted into a fixed
// buffer so freestanding device models can build indexed names ("GICD_ISENABLER1").
#pragma once

#include <cstddef>
#include <cstdint>

namespace tandem {

struct RegisterName {
  char text[40] = {};

  // The name as it is; true, so a device can `return out.set("UARTFR")`.
  bool set(const char* name);
  // `prefix` followed by the decimal `index` ("GICD_ISENABLER" 1 -> "GICD_ISENABLER1").
  bool set_indexed(const char* prefix, uint64_t index);
  // printf-like (core/base/format.h's subset).
  bool set_format(const char* fmt, ...) __attribute__((format(printf, 2, 3)));
};

// One register of a device's table: its offset, width in bytes, and name (a read and a write
// may name different registers at one offset: `write_name`, null when the same).
struct RegisterEntry {
  uint64_t offset;
  uint8_t width;
  const char* name;
  const char* write_name = nullptr;
};

// The entry of `table` whose bytes hold `offset`; false when none does.
bool name_from_table(const RegisterEntry* table, size_t count, uint64_t offset, bool write,
                     RegisterName& out);
template <size_t N>
bool name_from_table(const RegisterEntry (&table)[N], uint64_t offset, bool write,
                     RegisterName& out) {
  return name_from_table(table, N, offset, write, out);
}

}  // namespace tandem

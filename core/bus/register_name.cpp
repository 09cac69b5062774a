// SPDX-License-Identifier: Apache-2.0
#include "core/bus/register_name.h"

#include <cstdarg>

#include "core/base/format.h"

namespace tandem {

bool RegisterName::set(const char* name) { return set_format("%s", name); }

bool RegisterName::set_indexed(const char* prefix, uint64_t index) {
  return set_format("%s%llu", prefix, static_cast<unsigned long long>(index));
}

bool RegisterName::set_format(const char* fmt, ...) {
  va_list args;
  va_start(args, fmt);
  vformat_to(text, sizeof text, fmt, args);
  va_end(args);
  return true;
}

bool name_from_table(const RegisterEntry* table, size_t count, uint64_t offset, bool write,
                     RegisterName& out) {
  for (size_t i = 0; i < count; ++i) {
    const RegisterEntry& r = table[i];
    if (offset < r.offset || offset - r.offset >= r.width) continue;
    return out.set(write && r.write_name != nullptr ? r.write_name : r.name);
  }
  return false;
}

}  // namespace tandem

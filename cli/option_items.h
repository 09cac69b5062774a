// SPDX-License-Identifier: Apache-2.0
// The comma-separated `key[=value]` items of a QEMU-style option value (`--drive`, `--nic`).
#pragma once

#include <string>
#include <vector>

namespace tandem::cli {

struct OptionItem {
  std::string text;  // the whole item, for messages
  std::string key;
  std::string value;  // "" when the item has no '='
  bool has_value = false;
};

inline std::vector<OptionItem> option_items(const std::string& text) {
  std::vector<OptionItem> items;
  size_t at = 0;
  while (at <= text.size()) {
    size_t end = text.find(',', at);
    if (end == std::string::npos) end = text.size();
    OptionItem& item = items.emplace_back();
    item.text = text.substr(at, end - at);
    const size_t eq = item.text.find('=');
    item.key = item.text.substr(0, eq);
    item.has_value = eq != std::string::npos;
    if (item.has_value) item.value = item.text.substr(eq + 1);
    at = end + 1;
  }
  return items;
}

}  // namespace tandem::cli

// SPDX-License-Identifier: Apache-2.0
#include "cli/trace_option.h"

#include <algorithm>
#include <cerrno>
#include <cstdlib>

namespace tandem::cli {
namespace {

// A whole unsigned number: 0x-prefixed hex or decimal.
std::optional<uint64_t> parse_address(const std::string& text) {
  if (text.empty() || text[0] == '-' || text[0] == '+' || text[0] == ' ') return std::nullopt;
  errno = 0;
  char* end = nullptr;
  const unsigned long long v = std::strtoull(text.c_str(), &end, 0);
  if (errno != 0 || end != text.c_str() + text.size()) return std::nullopt;
  return v;
}

std::optional<InsnRange> parse_range(const std::string& text) {
  const size_t dash = text.find('-');
  if (dash == std::string::npos) return std::nullopt;
  const auto begin = parse_address(text.substr(0, dash));
  const auto end = parse_address(text.substr(dash + 1));
  if (!begin || !end || *begin > *end) return std::nullopt;
  return InsnRange{*begin, *end};
}

}  // namespace

std::optional<TraceSpec> parse_trace(const std::string& text, std::string& error) {
  TraceSpec spec;
  size_t start = 0;
  while (start <= text.size()) {
    const size_t comma = std::min(text.find(',', start), text.size());
    const std::string item = text.substr(start, comma - start);
    start = comma + 1;
    if (item == "none") continue;
    if (item == "exits" || item == "mmio") {
      const TraceMode mode = item == "exits" ? TraceMode::kExits : TraceMode::kMmio;
      if (spec.mode != TraceMode::kNone && spec.mode != mode) {
        error = "exits already includes every device access: name one of exits and mmio";
        return std::nullopt;
      }
      spec.mode = mode;
    } else if (item.rfind("insn=", 0) == 0) {
      spec.insn = parse_range(item.substr(5));
      if (!spec.insn) {
        error = "'" + item +
                "': the range is START-END, two addresses with START <= END (e.g. "
                "insn=0x40000000-0x40000fff)";
        return std::nullopt;
      }
    } else {
      error = "'" + item + "' is not a trace (exits, mmio, insn=START-END or none)";
      return std::nullopt;
    }
  }
  return spec;
}

}  // namespace tandem::cli

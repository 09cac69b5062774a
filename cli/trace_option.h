// SPDX-License-Identifier: Apache-2.0
// `tandem run --trace ITEM[,ITEM...]` (config key `trace`): what the trace lines cover.
//   exits             one line per exit the VM handles
//   mmio              one line per device access (MMIO and port I/O)
//   insn=START-END    one line per instruction run at a guest-virtual PC in [START, END]
//                     (inclusive; hex with 0x or decimal; emu backend only)
//   none              nothing (the default)
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace tandem::cli {

enum class TraceMode { kNone, kExits, kMmio };

struct InsnRange {
  uint64_t begin = 0;
  uint64_t end = 0;  // inclusive
};

struct TraceSpec {
  TraceMode mode = TraceMode::kNone;
  std::optional<InsnRange> insn;

  bool any() const { return mode != TraceMode::kNone || insn.has_value(); }
};

// nullopt with `error` saying why (an unknown item, both exits and mmio, a malformed or
// empty range).
std::optional<TraceSpec> parse_trace(const std::string& text, std::string& error);

}  // namespace tandem::cli

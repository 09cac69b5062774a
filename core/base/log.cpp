// SPDX-License-Identifier: Apache-2.0
#include "core/base/log.h"

#include <cstdarg>

#include "core/base/format.h"

namespace tandem::log {
namespace {

Sink g_sink = nullptr;
Level g_level = Level::kInfo;

}  // namespace

void set_sink(Sink sink) { g_sink = sink; }
void set_level(Level level) { g_level = level; }
bool enabled(Level level) { return g_sink != nullptr && level >= g_level; }

void write(Level level, const char* fmt, ...) {
  if (!enabled(level)) return;
  char line[256];
  va_list args;
  va_start(args, fmt);
  size_t n = vformat_to(line, sizeof line, fmt, args);
  va_end(args);
  g_sink(level, line, n < sizeof line ? n : sizeof line - 1);
}

}  // namespace tandem::log

// SPDX-License-Identifier: Apache-2.0
// Log facade. Freestanding code formats into a fixed buffer and hands the line to a sink that
// the program installs: the hosted build forwards to spdlog, a bare-metal image to its UART.
#pragma once

#include <cstddef>

namespace tandem::log {

enum class Level : unsigned char { kTrace, kDebug, kInfo, kWarn, kError, kOff };

using Sink = void (*)(Level level, const char* line, size_t len);

void set_sink(Sink sink);
void set_level(Level level);
bool enabled(Level level);
void write(Level level, const char* fmt, ...) __attribute__((format(printf, 2, 3)));

}  // namespace tandem::log

// The level check happens before argument evaluation and formatting, so disabled trace points
// cost one load and a branch on hot paths.
#define TLOG(level, ...)                                                         \
  do {                                                                           \
    if (::tandem::log::enabled(level)) ::tandem::log::write(level, __VA_ARGS__); \
  } while (0)
#define TLOG_TRACE(...) TLOG(::tandem::log::Level::kTrace, __VA_ARGS__)
#define TLOG_DEBUG(...) TLOG(::tandem::log::Level::kDebug, __VA_ARGS__)
#define TLOG_INFO(...) TLOG(::tandem::log::Level::kInfo, __VA_ARGS__)
#define TLOG_WARN(...) TLOG(::tandem::log::Level::kWarn, __VA_ARGS__)
#define TLOG_ERROR(...) TLOG(::tandem::log::Level::kError, __VA_ARGS__)

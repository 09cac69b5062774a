// SPDX-License-Identifier: Apache-2.0
#include "backends/hosted/host_log.h"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <string_view>

namespace tandem::hosted {
namespace {

spdlog::level::level_enum to_spdlog(log::Level level) {
  switch (level) {
    case log::Level::kTrace: return spdlog::level::trace;
    case log::Level::kDebug: return spdlog::level::debug;
    case log::Level::kInfo: return spdlog::level::info;
    case log::Level::kWarn: return spdlog::level::warn;
    case log::Level::kError: return spdlog::level::err;
    case log::Level::kOff: return spdlog::level::off;
  }
  return spdlog::level::info;
}

void sink(log::Level level, const char* line, size_t len) {
  spdlog::default_logger_raw()->log(to_spdlog(level), std::string_view(line, len));
}

}  // namespace

void install_log_sink(log::Level level) {
  // Guest consoles own stdout; diagnostics go to stderr.
  static auto logger = spdlog::stderr_color_mt("tandem");
  logger->set_pattern("tandem: %l: %v");
  logger->set_level(to_spdlog(level));
  spdlog::set_default_logger(logger);
  log::set_level(level);
  log::set_sink(sink);
}

}  // namespace tandem::hosted

// SPDX-License-Identifier: Apache-2.0
#include "backends/baremetal/common/log_sink.h"

#include "backends/baremetal/common/console.h"
#include "core/base/log.h"

namespace tandem::baremetal {
namespace {

const char* level_tag(log::Level level) {
  switch (level) {
    case log::Level::kWarn: return "warning: ";
    case log::Level::kError: return "error: ";
    default: return "";
  }
}

void sink(log::Level level, const char* line, size_t len) {
  // With several CPUs whole lines, not characters, interleave.
  SpinLockGuard guard(console_lock());
  // Guest output that stopped mid-line would otherwise swallow the prefix.
  if (!console_at_line_start()) console_putc('\n');
  console_puts(kLogPrefix);
  console_puts(level_tag(level));
  console_write(line, len);
  console_putc('\n');
}

}  // namespace

void install_log_sink() { log::set_sink(sink); }

}  // namespace tandem::baremetal

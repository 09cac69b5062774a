// SPDX-License-Identifier: Apache-2.0
#include "backends/baremetal/common/log_sink.h"

#include "backends/baremetal/common/console.h"
#include "core/base/log.h"
#include "core/base/spin_lock.h"

namespace tandem::baremetal {
namespace {

const char* level_tag(log::Level level) {
  switch (level) {
    case log::Level::kWarn: return "warning: ";
    case log::Level::kError: return "error: ";
    default: return "";
  }
}

// With several CPUs (common/run_smp.h) whole lines, not characters, interleave.
SpinLock g_lock;

void sink(log::Level level, const char* line, size_t len) {
  SpinLockGuard guard(g_lock);
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

// SPDX-License-Identifier: Apache-2.0
#include "backends/baremetal/common/panic.h"

#include <cstdarg>

#include "backends/baremetal/common/arch.h"
#include "backends/baremetal/common/console.h"
#include "backends/baremetal/common/log_sink.h"
#include "core/base/format.h"

namespace tandem::baremetal {

void panic(const char* fmt, ...) {
  char message[256];
  va_list args;
  va_start(args, fmt);
  const size_t n = vformat_to(message, sizeof message, fmt, args);
  va_end(args);
  if (!console_at_line_start()) console_putc('\n');
  console_puts(kLogPrefix);
  console_puts("panic: ");
  console_write(message, n < sizeof message ? n : sizeof message - 1);
  console_putc('\n');
  arch::exit_platform(kExitFault);
}

}  // namespace tandem::baremetal

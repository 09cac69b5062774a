// SPDX-License-Identifier: Apache-2.0
#include "backends/baremetal/common/vm_console.h"

#include "backends/baremetal/common/console.h"
#include "core/base/format.h"

namespace tandem::baremetal {
namespace {

// The console whose line the UART is in the middle of (a line longer than the buffer, or the
// last words of a stopped VM), under console_lock(): only it may go on without a new line.
const PrefixConsole* g_open_line = nullptr;

}  // namespace

void PrefixConsole::set_name(const char* name) { format_to(m_tag, sizeof m_tag, "[%s] ", name); }

void PrefixConsole::put(uint8_t c) {
  m_line[m_len++] = static_cast<char>(c);
  if (c == '\n' || m_len == kLineBytes) write_line();
}

void PrefixConsole::flush() {
  if (m_len > 0) write_line();
}

void PrefixConsole::write_line() {
  SpinLockGuard guard(console_lock());
  if (!console_at_line_start() && g_open_line != this) console_putc('\n');
  if (console_at_line_start()) console_puts(m_tag);
  console_write(m_line, m_len);
  m_len = 0;
  g_open_line = console_at_line_start() ? nullptr : this;
}

}  // namespace tandem::baremetal

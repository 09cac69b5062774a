// SPDX-License-Identifier: Apache-2.0
// The host terminal while a guest owns the console: raw input the way QEMU's `-serial stdio`
// sets it (chardev/char-stdio.c) -- no echo, no line editing, no CR/NL translation, and Ctrl-C
// / Ctrl-Z / Ctrl-\ reach the guest as bytes instead of signalling Tandem -- with output
// post-processing kept so the guest's "\n" still starts a new line. The saved modes come back
// when the object goes away, at exit(), and on SIGTERM/SIGHUP/SIGQUIT/SIGINT (restore, then
// the signal's previous action).
#pragma once

#include <termios.h>

namespace tandem::cli {

// `saved` with the changes above applied (pure, for tests).
termios raw_console_termios(const termios& saved);

class TerminalMode {
 public:
  // Switches `fd` to raw mode when it is a terminal, Tandem is in its foreground process group
  // and no other TerminalMode is active; otherwise does nothing (active() is false).
  explicit TerminalMode(int fd);
  ~TerminalMode();
  TerminalMode(const TerminalMode&) = delete;
  TerminalMode& operator=(const TerminalMode&) = delete;

  // True when this object changed the terminal and will restore it.
  bool active() const { return m_active; }

  // True when `fd` is a terminal whose foreground process group is not ours (`tandem run &`):
  // reading it would stop Tandem with SIGTTIN, so console input should stay off.
  static bool is_background_tty(int fd);

 private:
  bool m_active = false;
};

}  // namespace tandem::cli

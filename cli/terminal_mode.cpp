// SPDX-License-Identifier: Apache-2.0
#include "cli/terminal_mode.h"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>

namespace tandem::cli {
namespace {

// One terminal at a time: the state the signal handlers and the atexit hook restore. g_fd is
// published (release) after g_saved is written, and taken (exchange) by whoever restores, so
// the restore happens once whichever path gets there first.
termios g_saved{};
std::atomic<int> g_fd{-1};
std::atomic<bool> g_claimed{false};  // a TerminalMode is active (constructed twice: one wins)

constexpr int kSignals[] = {SIGTERM, SIGHUP, SIGQUIT, SIGINT};
struct sigaction g_old_actions[sizeof(kSignals) / sizeof(kSignals[0])];
bool g_handlers_installed[sizeof(kSignals) / sizeof(kSignals[0])];

// Async-signal-safe: tcsetattr() is on POSIX's list.
void restore_saved() {
  const int fd = g_fd.exchange(-1, std::memory_order_acq_rel);
  if (fd >= 0) tcsetattr(fd, TCSANOW, &g_saved);
}

void on_signal(int sig) {
  restore_saved();
  // Put the previous action back and let the signal take it (the default: terminate, or dump
  // core for SIGQUIT). The signal is blocked while this handler runs and is delivered on return.
  for (size_t i = 0; i < std::size(kSignals); ++i) {
    if (kSignals[i] == sig) sigaction(sig, &g_old_actions[i], nullptr);
  }
  raise(sig);
}

void install_handlers() {
  for (size_t i = 0; i < std::size(kSignals); ++i) {
    struct sigaction old {};
    g_handlers_installed[i] = false;
    if (sigaction(kSignals[i], nullptr, &old) != 0) continue;
    // Leave ignored signals ignored (`nohup tandem run ...`) and custom handlers alone.
    if (old.sa_handler != SIG_DFL || (old.sa_flags & SA_SIGINFO)) continue;
    struct sigaction sa {};
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    if (sigaction(kSignals[i], &sa, &g_old_actions[i]) == 0) g_handlers_installed[i] = true;
  }
}

void uninstall_handlers() {
  for (size_t i = 0; i < std::size(kSignals); ++i) {
    if (g_handlers_installed[i]) sigaction(kSignals[i], &g_old_actions[i], nullptr);
    g_handlers_installed[i] = false;
  }
}

}  // namespace

termios raw_console_termios(const termios& saved) {
  termios t = saved;
  t.c_iflag &= ~tcflag_t(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON);
  t.c_oflag |= OPOST;
  t.c_lflag &= ~tcflag_t(ECHO | ECHONL | ICANON | IEXTEN | ISIG);
  t.c_cflag &= ~tcflag_t(CSIZE | PARENB);
  t.c_cflag |= CS8;
  t.c_cc[VMIN] = 1;
  t.c_cc[VTIME] = 0;
  return t;
}

bool TerminalMode::is_background_tty(int fd) {
  if (!isatty(fd)) return false;
  const pid_t fg = tcgetpgrp(fd);
  return fg >= 0 && fg != getpgrp();
}

TerminalMode::TerminalMode(int fd) {
  if (!isatty(fd) || is_background_tty(fd)) return;
  bool expected = false;
  if (!g_claimed.compare_exchange_strong(expected, true)) return;
  termios saved{};
  if (tcgetattr(fd, &saved) != 0) {
    g_claimed.store(false);
    return;
  }
  g_saved = saved;
  static const bool hooked = std::atexit(restore_saved) == 0;
  (void)hooked;
  install_handlers();
  g_fd.store(fd, std::memory_order_release);
  const termios raw = raw_console_termios(saved);
  if (tcsetattr(fd, TCSANOW, &raw) != 0) {
    g_fd.store(-1);
    uninstall_handlers();
    g_claimed.store(false);
    return;
  }
  m_active = true;
}

TerminalMode::~TerminalMode() {
  if (!m_active) return;
  restore_saved();
  uninstall_handlers();
  g_claimed.store(false);
}

}  // namespace tandem::cli

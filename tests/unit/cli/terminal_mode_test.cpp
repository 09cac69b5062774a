// SPDX-License-Identifier: Apache-2.0
#include "cli/terminal_mode.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <string>
#include <thread>

#include "cli/console_input.h"

namespace tandem::cli {
namespace {

// A pseudo-terminal pair; the slave stands in for the user's terminal on stdin.
class Pty {
 public:
  Pty() {
    m_master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    EXPECT_GE(m_master, 0);
    EXPECT_EQ(grantpt(m_master), 0);
    EXPECT_EQ(unlockpt(m_master), 0);
    const char* name = ptsname(m_master);
    EXPECT_NE(name, nullptr);
    if (name != nullptr) m_slave = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
    EXPECT_GE(m_slave, 0);
  }
  ~Pty() {
    if (m_slave >= 0) close(m_slave);
    if (m_master >= 0) close(m_master);
  }
  int master() const { return m_master; }
  int slave() const { return m_slave; }
  termios modes() const {
    termios t{};
    EXPECT_EQ(tcgetattr(m_slave, &t), 0);
    return t;
  }

 private:
  int m_master = -1;
  int m_slave = -1;
};

bool same_modes(const termios& a, const termios& b) {
  return a.c_iflag == b.c_iflag && a.c_oflag == b.c_oflag && a.c_cflag == b.c_cflag &&
         a.c_lflag == b.c_lflag && a.c_cc[VMIN] == b.c_cc[VMIN] && a.c_cc[VTIME] == b.c_cc[VTIME];
}

void expect_raw(const termios& t) {
  EXPECT_FALSE(t.c_lflag & ECHO);
  EXPECT_FALSE(t.c_lflag & ICANON);
  EXPECT_FALSE(t.c_lflag & ISIG) << "Ctrl-C must reach the guest";
  EXPECT_FALSE(t.c_lflag & IEXTEN);
  EXPECT_FALSE(t.c_iflag & ICRNL);
  EXPECT_FALSE(t.c_iflag & INLCR);
  EXPECT_FALSE(t.c_iflag & IXON);
  EXPECT_TRUE(t.c_oflag & OPOST) << "the guest's \\n must still print as a new line";
  EXPECT_EQ(t.c_cflag & CSIZE, tcflag_t(CS8));
  EXPECT_EQ(t.c_cc[VMIN], 1);
  EXPECT_EQ(t.c_cc[VTIME], 0);
}

void expect_cooked(const termios& t) {
  EXPECT_TRUE(t.c_lflag & ECHO);
  EXPECT_TRUE(t.c_lflag & ICANON);
  EXPECT_TRUE(t.c_lflag & ISIG);
}

TEST(TerminalMode, RawConsoleTermiosIsPure) {
  termios cooked{};
  cooked.c_iflag = ICRNL | IXON | BRKINT;
  cooked.c_oflag = OPOST | ONLCR;
  cooked.c_lflag = ECHO | ICANON | ISIG | IEXTEN | ECHOE;
  cooked.c_cflag = CS7 | PARENB | CREAD;
  const termios raw = raw_console_termios(cooked);
  expect_raw(raw);
  EXPECT_TRUE(raw.c_oflag & ONLCR);
  EXPECT_TRUE(raw.c_cflag & CREAD);
  EXPECT_FALSE(raw.c_cflag & PARENB);
}

TEST(TerminalMode, RawWhileAliveRestoredAfter) {
  Pty pty;
  const termios before = pty.modes();
  expect_cooked(before);
  {
    TerminalMode mode(pty.slave());
    EXPECT_TRUE(mode.active());
    expect_raw(pty.modes());
  }
  EXPECT_TRUE(same_modes(pty.modes(), before));
}

TEST(TerminalMode, NotATerminalDoesNothing) {
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  {
    TerminalMode mode(fds[0]);
    EXPECT_FALSE(mode.active());
  }
  EXPECT_FALSE(TerminalMode::is_background_tty(fds[0]));
  close(fds[0]);
  close(fds[1]);
}

TEST(TerminalMode, OnlyOneActiveAtATime) {
  Pty a;
  Pty b;
  const termios a_before = a.modes();
  const termios b_before = b.modes();
  {
    TerminalMode first(a.slave());
    TerminalMode second(b.slave());
    TerminalMode again(a.slave());
    EXPECT_TRUE(first.active());
    EXPECT_FALSE(second.active());
    EXPECT_FALSE(again.active());
    EXPECT_TRUE(same_modes(b.modes(), b_before));
  }
  EXPECT_TRUE(same_modes(a.modes(), a_before));
  // Once the first is gone, a new one may take over.
  {
    TerminalMode next(b.slave());
    EXPECT_TRUE(next.active());
  }
  EXPECT_TRUE(same_modes(b.modes(), b_before));
}

// Runs `body` in a child process and returns its wait() status. The pty's modes live in the
// kernel, so the parent sees what the child left behind.
template <class Body>
int in_child(Body body) {
  const pid_t pid = fork();
  if (pid == 0) {
    body();
    _exit(99);  // body did not end the process
  }
  int status = 0;
  EXPECT_EQ(waitpid(pid, &status, 0), pid);
  return status;
}

TEST(TerminalMode, RestoredWhenTheProcessExitsWithoutTheDestructor) {
  Pty pty;
  const termios before = pty.modes();
  const int status = in_child([&] {
    auto* leaked = new TerminalMode(pty.slave());
    if (!leaked->active()) _exit(98);
    std::exit(3);  // atexit hook
  });
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 3);
  EXPECT_TRUE(same_modes(pty.modes(), before));
}

class TerminalModeSignal : public testing::TestWithParam<int> {};

TEST_P(TerminalModeSignal, RestoredAndTheSignalStillKills) {
  const int sig = GetParam();
  Pty pty;
  const termios before = pty.modes();
  int ready[2];
  ASSERT_EQ(pipe(ready), 0);
  const pid_t pid = fork();
  if (pid == 0) {
    signal(sig, SIG_DFL);
    const rlimit no_core{0, 0};  // SIGQUIT would dump core
    setrlimit(RLIMIT_CORE, &no_core);
    TerminalMode mode(pty.slave());
    const char c = mode.active() ? 'y' : 'n';
    if (write(ready[1], &c, 1) != 1) _exit(97);
    for (;;) pause();
  }
  char c = 0;
  ASSERT_EQ(read(ready[0], &c, 1), 1);
  ASSERT_EQ(c, 'y');
  expect_raw(pty.modes());
  kill(pid, sig);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFSIGNALED(status)) << "status " << status;
  EXPECT_EQ(WTERMSIG(status), sig);
  EXPECT_TRUE(same_modes(pty.modes(), before));
  close(ready[0]);
  close(ready[1]);
}

INSTANTIATE_TEST_SUITE_P(Signals, TerminalModeSignal,
                         testing::Values(SIGTERM, SIGHUP, SIGQUIT, SIGINT),
                         [](const testing::TestParamInfo<int>& p) {
                           return std::string(sigabbrev_np(p.param));
                         });

TEST(TerminalMode, HandlersAreRemovedAfterwards) {
  {
    Pty pty;
    TerminalMode mode(pty.slave());
    ASSERT_TRUE(mode.active());
  }
  struct sigaction now {};
  ASSERT_EQ(sigaction(SIGTERM, nullptr, &now), 0);
  EXPECT_EQ(now.sa_handler, SIG_DFL);
}

// The two together, as `tandem run` uses them: a key typed on the terminal reaches the guest at
// once (no Enter), Ctrl-C arrives as a byte, and CR is not turned into NL.
TEST(TerminalMode, RawTerminalFeedsConsoleInputByteByByte) {
  Pty pty;
  TerminalMode mode(pty.slave());
  ASSERT_TRUE(mode.active());
  std::mutex mutex;
  std::string got;
  auto input = ConsoleInput::start(
      pty.slave(),
      [&](uint8_t c) {
        std::lock_guard lock(mutex);
        got += char(c);
        return true;
      },
      [] {}, [] {});
  ASSERT_TRUE(input.ok());
  const std::string typed = "a\x03\r";
  ASSERT_EQ(write(pty.master(), typed.data(), typed.size()), ssize_t(typed.size()));
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  for (;;) {
    {
      std::lock_guard lock(mutex);
      if (got.size() >= typed.size()) break;
    }
    ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "got only " << got.size();
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  std::lock_guard lock(mutex);
  EXPECT_EQ(got, typed);
}

}  // namespace
}  // namespace tandem::cli

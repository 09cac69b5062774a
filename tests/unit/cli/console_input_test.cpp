// SPDX-License-Identifier: Apache-2.0
#include "cli/console_input.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <pthread.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>

#include "cli/console_escape.h"

namespace tandem::cli {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
// "Promptly": a destructor that waited for input would never return; one that returns takes
// microseconds. The bound is far above what a loaded machine's scheduling delays add.
constexpr auto kPrompt = 5s;

// Waits up to 5 s for `done`; generous so a loaded machine does not fail the test.
template <class Pred>
bool wait_for(Pred done) {
  const auto deadline = Clock::now() + 5s;
  while (!done()) {
    if (Clock::now() > deadline) return false;
    std::this_thread::sleep_for(1ms);
  }
  return true;
}

class Pipe {
 public:
  Pipe() { EXPECT_EQ(pipe2(m_fds, O_CLOEXEC), 0); }
  ~Pipe() {
    close_write();
    if (m_fds[0] >= 0) close(m_fds[0]);
  }
  int read_end() const { return m_fds[0]; }
  void write_text(const std::string& s) {
    ASSERT_EQ(write(m_fds[1], s.data(), s.size()), ssize_t(s.size()));
  }
  void close_write() {
    if (m_fds[1] >= 0) close(m_fds[1]);
    m_fds[1] = -1;
  }

 private:
  int m_fds[2] = {-1, -1};
};

// The guest's side: what was pushed, how often the VM was woken, whether Ctrl-A x came.
struct Guest {
  std::mutex mutex;
  std::string received;
  std::atomic<int> notifies{0};
  std::atomic<int> quits{0};
  std::atomic<int> ends{0};
  std::atomic<int> refuse_next{0};  // push() returns false this many times
  std::atomic<int> refused{0};

  std::unique_ptr<ConsoleInput> start(int fd, int help_fd = STDERR_FILENO) {
    auto input = ConsoleInput::start(
        fd,
        [this](uint8_t c) {
          if (refuse_next.load() > 0) {
            refuse_next.fetch_sub(1);
            refused.fetch_add(1);
            return false;
          }
          std::lock_guard lock(mutex);
          received += char(c);
          return true;
        },
        [this] { notifies.fetch_add(1); }, [this] { quits.fetch_add(1); },
        [this] { ends.fetch_add(1); }, help_fd);
    EXPECT_TRUE(input.ok());
    return input.ok() ? std::move(input.value()) : nullptr;
  }
  std::string text() {
    std::lock_guard lock(mutex);
    return received;
  }
  bool has(size_t n) { return text().size() >= n; }
};

std::string sample(size_t n) {
  std::string s;
  for (size_t i = 0; i < n; ++i) {
    const char c = char((i * 7 + 3) & 0xff);
    s += c == char(kEscapeChar) ? 'A' : c;
  }
  return s;
}

TEST(ConsoleInput, BytesArriveInOrderAndWakeTheVm) {
  Pipe in;
  Guest guest;
  auto input = guest.start(in.read_end());
  const std::string data = sample(5000);  // more than one read() chunk
  in.write_text(data.substr(0, 1000));
  in.write_text(data.substr(1000));
  ASSERT_TRUE(wait_for([&] { return guest.has(data.size()); }));
  EXPECT_EQ(guest.text(), data);
  EXPECT_GE(guest.notifies.load(), 1);
  EXPECT_EQ(guest.quits.load(), 0);
  EXPECT_FALSE(input->finished());
}

TEST(ConsoleInput, FullQueueRetriesTheSameByteAndLosesNothing) {
  Pipe in;
  Guest guest;
  guest.refuse_next = 3;
  auto input = guest.start(in.read_end());
  in.write_text("abc");
  ASSERT_TRUE(wait_for([&] { return guest.has(3); }));
  EXPECT_EQ(guest.text(), "abc");
  EXPECT_EQ(guest.refused.load(), 3);
  // Refusals in the middle of a batch: the bytes already pushed are announced first.
  guest.refuse_next = 0;
  in.write_text("de");
  ASSERT_TRUE(wait_for([&] { return guest.has(5); }));
  EXPECT_EQ(guest.text(), "abcde");
}

TEST(ConsoleInput, FullQueueWakesTheVmForWhatIsQueued) {
  Pipe in;
  Guest guest;
  std::atomic<int> pushed{0};
  std::atomic<int> notified_at{-1};
  // The queue holds two bytes until the VM is woken (which "drains" it).
  auto input_result = ConsoleInput::start(
      in.read_end(),
      [&](uint8_t c) {
        if (pushed.load() == 2 && notified_at.load() < 0) return false;
        std::lock_guard lock(guest.mutex);
        guest.received += char(c);
        pushed.fetch_add(1);
        return true;
      },
      [&] {
        if (notified_at.load() < 0) notified_at = pushed.load();
      },
      [] {});
  ASSERT_TRUE(input_result.ok());
  in.write_text("wxyz");
  ASSERT_TRUE(wait_for([&] { return guest.has(4); }));
  EXPECT_EQ(guest.text(), "wxyz");
  EXPECT_EQ(notified_at.load(), 2);
}

TEST(ConsoleInput, CtrlAXQuitsAndStopsReading) {
  Pipe in;
  Guest guest;
  auto input = guest.start(in.read_end());
  in.write_text("ab\x01xcd");
  ASSERT_TRUE(wait_for([&] { return input->finished(); }));
  EXPECT_EQ(guest.quits.load(), 1);
  EXPECT_EQ(guest.ends.load(), 0);  // quitting is not the end of the input
  EXPECT_EQ(guest.text(), "ab");
}

TEST(ConsoleInput, EscapeSplitAcrossReads) {
  Pipe in;
  Guest guest;
  auto input = guest.start(in.read_end());
  in.write_text("a\x01");
  ASSERT_TRUE(wait_for([&] { return guest.has(1); }));
  std::this_thread::sleep_for(20ms);  // the reader has consumed the lone Ctrl-A by now
  in.write_text("\x01");
  ASSERT_TRUE(wait_for([&] { return guest.has(2); }));
  in.write_text("\x01");
  std::this_thread::sleep_for(20ms);
  in.write_text("x");
  ASSERT_TRUE(wait_for([&] { return input->finished(); }));
  EXPECT_EQ(guest.text(), "a\x01");
  EXPECT_EQ(guest.quits.load(), 1);
}

TEST(ConsoleInput, CtrlAHPrintsHelpAndSendsNothing) {
  Pipe in;
  int help[2];  // stands in for stderr
  ASSERT_EQ(pipe2(help, O_CLOEXEC), 0);
  Guest guest;
  auto input = guest.start(in.read_end(), help[1]);
  in.write_text(
      "\x01h"
      "k");
  ASSERT_TRUE(wait_for([&] { return guest.has(1); }));
  EXPECT_EQ(guest.text(), "k");
  char buf[256] = {};
  const ssize_t n = read(help[0], buf, sizeof buf);
  ASSERT_GT(n, 0);
  EXPECT_EQ(std::string(buf, size_t(n)), kConsoleEscapeHelp);
  input.reset();
  close(help[0]);
  close(help[1]);
}

TEST(ConsoleInput, EndOfFileEndsTheThreadQuietly) {
  Pipe in;
  Guest guest;
  auto input = guest.start(in.read_end());
  in.write_text("last");
  in.close_write();
  ASSERT_TRUE(wait_for([&] { return input->finished(); }));
  EXPECT_EQ(guest.text(), "last");
  EXPECT_EQ(guest.quits.load(), 0);
  EXPECT_EQ(guest.ends.load(), 1);
}

TEST(ConsoleInput, DevNullIsAnImmediateEndOfFile) {
  const int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  Guest guest;
  auto input = guest.start(fd);
  ASSERT_TRUE(wait_for([&] { return input->finished(); }));
  EXPECT_EQ(guest.ends.load(), 1);
  input.reset();
  close(fd);
}

TEST(ConsoleInput, DestructorReturnsPromptlyWithNoInput) {
  Pipe in;
  Guest guest;
  auto input = guest.start(in.read_end());
  std::this_thread::sleep_for(50ms);  // the reader is asleep in poll()
  const auto t0 = Clock::now();
  input.reset();
  EXPECT_LT(Clock::now() - t0, kPrompt);
  EXPECT_EQ(guest.ends.load(), 0);  // stopping is not the end of the input
}

TEST(ConsoleInput, DestructorReturnsPromptlyWhileTheQueueStaysFull) {
  Pipe in;
  std::atomic<int> attempts{0};
  auto input = ConsoleInput::start(
      in.read_end(),
      [&](uint8_t) {
        attempts.fetch_add(1);
        return false;
      },
      [] {}, [] {});
  ASSERT_TRUE(input.ok());
  in.write_text("stuck");
  ASSERT_TRUE(wait_for([&] { return attempts.load() >= 3; }));
  const auto t0 = Clock::now();
  input.value().reset();
  EXPECT_LT(Clock::now() - t0, kPrompt);
}

double thread_cpu_seconds(pthread_t thread) {
  clockid_t clock;
  if (pthread_getcpuclockid(thread, &clock) != 0) return -1;
  timespec ts{};
  if (clock_gettime(clock, &ts) != 0) return -1;
  return double(ts.tv_sec) + double(ts.tv_nsec) * 1e-9;
}

TEST(ConsoleInput, DoesNotSpinWhileIdle) {
  Pipe in;
  Guest guest;
  auto input = guest.start(in.read_end());
  std::this_thread::sleep_for(20ms);
  const double before = thread_cpu_seconds(input->native_handle());
  ASSERT_GE(before, 0);
  std::this_thread::sleep_for(200ms);
  const double used = thread_cpu_seconds(input->native_handle()) - before;
  EXPECT_LT(used, 0.02) << "the reader thread used " << used * 1e3 << " ms of CPU in 200 ms idle";
}

TEST(ConsoleInput, RetryingOnAFullQueueDoesNotSpin) {
  Pipe in;
  auto input = ConsoleInput::start(
      in.read_end(), [](uint8_t) { return false; }, [] {}, [] {});
  ASSERT_TRUE(input.ok());
  in.write_text("x");
  std::this_thread::sleep_for(20ms);
  const double before = thread_cpu_seconds(input.value()->native_handle());
  std::this_thread::sleep_for(200ms);
  const double used = thread_cpu_seconds(input.value()->native_handle()) - before;
  EXPECT_LT(used, 0.02) << "the reader thread used " << used * 1e3 << " ms of CPU in 200 ms";
}

}  // namespace
}  // namespace tandem::cli

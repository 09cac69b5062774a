// SPDX-License-Identifier: Apache-2.0
// The host side of console input: a thread that reads the host's stdin (or any fd), applies the
// Ctrl-A escapes (console_escape.h) and pushes the bytes towards the guest's UART. A byte the
// guest has no room for yet is retried, never dropped. End of file or a read error ends the
// input quietly; the guest keeps running. The thread sleeps in poll() while nothing is typed,
// and the destructor wakes it through a self-pipe, so stopping is prompt even on an idle TTY.
#pragma once

#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <thread>

#include "core/base/result.h"

namespace tandem::cli {

class ConsoleInput {
 public:
  // false: the guest's queue is full; the same byte is offered again about 1 ms later.
  using Push = std::function<bool(uint8_t)>;
  // After a batch of bytes was pushed (and before waiting on a full queue): wake the VM.
  using Notify = std::function<void()>;
  // Ctrl-A x. Called on the reader thread, which then stops reading.
  using Quit = std::function<void()>;
  // End of file or a read error: no more input will come (not called for Ctrl-A x or stop).
  using Ended = std::function<void()>;
  // Ctrl-A n: the keyboard goes to the next VM (empty: the escape is swallowed).
  using Next = std::function<void()>;

  // Starts reading `fd` (not owned, not closed). The Ctrl-A h key list goes to `help_fd`.
  // Every callback runs on the reader thread; notify, quit and ended may be empty.
  // Fails (kBackend) only when the self-pipe or the thread cannot be created.
  [[nodiscard]] static Result<std::unique_ptr<ConsoleInput>> start(int fd, Push push, Notify notify,
                                                                   Quit quit, Ended ended = {},
                                                                   int help_fd = STDERR_FILENO,
                                                                   Next next = {});
  ~ConsoleInput();  // stops and joins the reader thread
  ConsoleInput(const ConsoleInput&) = delete;
  ConsoleInput& operator=(const ConsoleInput&) = delete;

  // True once the reader thread has ended (end of file, read error, Ctrl-A x or stop).
  bool finished() const { return m_finished.load(std::memory_order_acquire); }
  // The reader thread's id (for tests that measure its CPU time).
  std::thread::native_handle_type native_handle() { return m_thread.native_handle(); }

 private:
  ConsoleInput(int fd, Push push, Notify notify, Quit quit, Ended ended, int help_fd, Next next,
               int wake_read, int wake_write);
  void run();
  // Pushes one byte, waiting while the queue is full. false: stop was requested meanwhile.
  bool push_with_retry(uint8_t c, bool& pushed_since_notify);
  bool stop_requested(int timeout_ms);

  const int m_fd;
  const Push m_push;
  const Notify m_notify;
  const Quit m_quit;
  const Ended m_ended;
  const int m_help_fd;
  const Next m_next;
  const int m_wake_read;
  const int m_wake_write;
  std::atomic<bool> m_finished{false};
  std::thread m_thread;
};

}  // namespace tandem::cli

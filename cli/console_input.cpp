// SPDX-License-Identifier: Apache-2.0
#include "cli/console_input.h"

#include <fcntl.h>
#include <poll.h>

#include <cerrno>
#include <cstring>
#include <system_error>
#include <utility>

#include "cli/console_escape.h"

namespace tandem::cli {
namespace {

constexpr size_t kChunk = 256;
constexpr int kRetryMs = 1;  // how long a full guest queue is given before the byte is retried

void write_all(int fd, const char* text) {
  size_t left = std::strlen(text);
  while (left > 0) {
    const ssize_t n = write(fd, text, left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    text += n;
    left -= size_t(n);
  }
}

}  // namespace

Result<std::unique_ptr<ConsoleInput>> ConsoleInput::start(int fd, Push push, Notify notify,
                                                          Quit quit, Ended ended, int help_fd,
                                                          Next next) {
  int wake[2];
  if (pipe2(wake, O_CLOEXEC | O_NONBLOCK) != 0) return Error(Status::kBackend);
  std::unique_ptr<ConsoleInput> input(new ConsoleInput(fd, std::move(push), std::move(notify),
                                                       std::move(quit), std::move(ended), help_fd,
                                                       std::move(next), wake[0], wake[1]));
  try {
    input->m_thread = std::thread([raw = input.get()] { raw->run(); });
  } catch (const std::system_error&) {
    return Error(Status::kBackend);  // the destructor closes the pipe; nothing to join
  }
  return input;
}

ConsoleInput::ConsoleInput(int fd, Push push, Notify notify, Quit quit, Ended ended, int help_fd,
                           Next next, int wake_read, int wake_write)
    : m_fd(fd),
      m_push(std::move(push)),
      m_notify(std::move(notify)),
      m_quit(std::move(quit)),
      m_ended(std::move(ended)),
      m_help_fd(help_fd),
      m_next(std::move(next)),
      m_wake_read(wake_read),
      m_wake_write(wake_write) {}

ConsoleInput::~ConsoleInput() {
  const char one = 1;
  // The pipe is non-blocking and never drained: a write can only fail if it is already full,
  // which means the thread has been told already.
  while (write(m_wake_write, &one, 1) < 0 && errno == EINTR) {
  }
  if (m_thread.joinable()) m_thread.join();
  close(m_wake_read);
  close(m_wake_write);
}

bool ConsoleInput::stop_requested(int timeout_ms) {
  pollfd p{m_wake_read, POLLIN, 0};
  return poll(&p, 1, timeout_ms) > 0;
}

bool ConsoleInput::push_with_retry(uint8_t c, bool& pushed_since_notify) {
  while (!m_push(c)) {
    // Let the VM drain what is already queued before waiting for room.
    if (pushed_since_notify && m_notify) m_notify();
    pushed_since_notify = false;
    if (stop_requested(kRetryMs)) return false;
  }
  pushed_since_notify = true;
  return true;
}

void ConsoleInput::run() {
  ConsoleEscape escape;
  uint8_t buf[kChunk];
  bool input_ended = false;  // end of file or read error, as opposed to quit or stop
  for (;;) {
    pollfd fds[2] = {{m_fd, POLLIN, 0}, {m_wake_read, POLLIN, 0}};
    const int ready = poll(fds, 2, -1);
    if (ready < 0) {
      if (errno == EINTR) continue;
      input_ended = true;
      break;
    }
    if (fds[1].revents != 0) break;  // stop
    if (fds[0].revents & POLLNVAL) {
      input_ended = true;
      break;
    }
    // POLLHUP without POLLIN still has read() report the end of file below.
    const ssize_t n = read(m_fd, buf, sizeof buf);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n <= 0) {  // end of file or error: input stops, the guest keeps running
      input_ended = true;
      break;
    }
    bool pushed = false;
    bool quit = false;
    bool stop = false;
    for (ssize_t i = 0; i < n && !quit && !stop; ++i) {
      const EscapeResult r = escape.feed(buf[i]);
      switch (r.kind) {
        case EscapeResult::kNone: break;
        case EscapeResult::kByte: stop = !push_with_retry(r.byte, pushed); break;
        case EscapeResult::kHelp: write_all(m_help_fd, kConsoleEscapeHelp); break;
        case EscapeResult::kQuit: quit = true; break;
        case EscapeResult::kNext:
          if (pushed && m_notify) m_notify();  // what was typed so far goes to the old VM
          pushed = false;
          if (m_next) m_next();
          break;
      }
    }
    if (pushed && m_notify) m_notify();
    if (quit) {
      if (m_quit) m_quit();
      break;
    }
    if (stop) break;
  }
  if (input_ended && m_ended) m_ended();
  m_finished.store(true, std::memory_order_release);
}

}  // namespace tandem::cli

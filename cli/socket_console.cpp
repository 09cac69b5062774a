// SPDX-License-Identifier: Apache-2.0
#include "cli/socket_console.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstring>

namespace tandem::cli {
namespace {

constexpr int kRetryMs = 10;  // input waiting for room in the guest's queue is offered again
constexpr size_t kChunk = 4096;
constexpr char kBusy[] = "tandem: this console has a client already\n";

bool make_address(const std::string& path, sockaddr_un& addr) {
  addr = {};
  addr.sun_family = AF_UNIX;
  if (path.empty() || path.size() >= sizeof addr.sun_path) return false;
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  return true;
}

// Whether a process accepts connections at `addr` now.
bool served(const sockaddr_un& addr) {
  const int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  const bool up = connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0;
  close(fd);
  return up;
}

}  // namespace

std::unique_ptr<SocketConsole> SocketConsole::open(const std::string& path, std::string& error) {
  sockaddr_un addr;
  if (!make_address(path, addr)) {
    error = "a socket path must have 1 to " + std::to_string(sizeof addr.sun_path - 1) + " bytes";
    return nullptr;
  }
  struct stat st;
  if (lstat(path.c_str(), &st) == 0) {
    if (!S_ISSOCK(st.st_mode)) {
      error = "it exists and is not a socket (left as it is)";
      return nullptr;
    }
    if (served(addr)) {
      error = "another process serves that socket";
      return nullptr;
    }
    unlink(path.c_str());  // a stale socket of an earlier run
  }
  const int listener = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (listener < 0 || bind(listener, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0 ||
      listen(listener, 1) != 0) {
    error = std::strerror(errno);
    if (listener >= 0) close(listener);
    return nullptr;
  }
  int wake[2];
  if (pipe2(wake, O_CLOEXEC | O_NONBLOCK) != 0) {
    error = std::strerror(errno);
    close(listener);
    unlink(path.c_str());
    return nullptr;
  }
  return std::unique_ptr<SocketConsole>(new SocketConsole(path, listener, wake[0], wake[1]));
}

SocketConsole::SocketConsole(std::string path, int listener, int wake_read, int wake_write)
    : m_path(std::move(path)),
      m_listener(listener),
      m_wake_read(wake_read),
      m_wake_write(wake_write),
      m_thread([this] { serve(); }) {}

SocketConsole::~SocketConsole() {
  m_stop.store(true);
  const char c = 0;
  (void)!write(m_wake_write, &c, 1);
  m_thread.join();
  drop_client();
  close(m_listener);
  close(m_wake_read);
  close(m_wake_write);
  unlink(m_path.c_str());
}

void SocketConsole::put(uint8_t c) {
  bool was_empty = false;
  {
    std::lock_guard lock(m_out_lock);
    was_empty = m_out.empty();
    m_out.push_back(c);
    if (m_out.size() > kBacklog) m_out.pop_front();
  }
  if (was_empty && m_has_client.load(std::memory_order_relaxed)) {
    const char w = 1;
    (void)!write(m_wake_write, &w, 1);  // a full pipe already wakes the thread
  }
}

void SocketConsole::set_input(Deliver deliver, Notify notify) {
  std::lock_guard lock(m_in_lock);
  m_deliver = std::move(deliver);
  m_notify = std::move(notify);
}

void SocketConsole::serve() {
  while (!m_stop.load()) {
    bool sending = false;
    bool waiting_input = false;
    {
      std::lock_guard lock(m_out_lock);
      sending = m_client >= 0 && !m_out.empty();
    }
    {
      std::lock_guard lock(m_in_lock);
      waiting_input = !m_in.empty() && m_deliver;
    }
    pollfd fds[3] = {{m_wake_read, POLLIN, 0}, {m_listener, POLLIN, 0}, {m_client, 0, 0}};
    if (m_client >= 0) fds[2].events = static_cast<short>(POLLIN | (sending ? POLLOUT : 0));
    const int nfds = m_client >= 0 ? 3 : 2;
    if (poll(fds, nfds, waiting_input ? kRetryMs : -1) < 0 && errno != EINTR) return;
    if ((fds[0].revents & POLLIN) != 0) {
      char drain[64];
      while (read(m_wake_read, drain, sizeof drain) > 0) {
      }
    }
    if ((fds[1].revents & POLLIN) != 0) accept_client();
    if (nfds == 3 && (fds[2].revents & (POLLIN | POLLHUP | POLLERR)) != 0) receive();
    if (nfds == 3 && m_client >= 0 && (fds[2].revents & POLLOUT) != 0) send_pending();
    deliver_pending();
  }
}

void SocketConsole::accept_client() {
  const int fd = accept4(m_listener, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
  if (fd < 0) return;
  if (m_client >= 0 && !client_gone()) {
    (void)!send(fd, kBusy, sizeof kBusy - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
    close(fd);
    return;
  }
  m_client = fd;
  m_has_client.store(true);
}

// A client that hung up before this thread saw it (its last bytes are taken first) makes
// room for the next: one that reconnects at once is not turned away.
bool SocketConsole::client_gone() {
  pollfd p{m_client, POLLRDHUP, 0};
  if (poll(&p, 1, 0) <= 0 || (p.revents & (POLLHUP | POLLRDHUP | POLLERR)) == 0) return false;
  for (int i = 0; m_client >= 0 && i < 1024; ++i) receive();
  drop_client();
  return true;
}

void SocketConsole::receive() {
  uint8_t buf[256];
  const ssize_t n = read(m_client, buf, sizeof buf);
  if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) return drop_client();
  if (n < 0) return;
  std::lock_guard lock(m_in_lock);
  for (ssize_t i = 0; i < n; ++i) {
    m_in.push_back(buf[i]);
    if (m_in.size() > kBacklog) m_in.pop_front();
  }
}

void SocketConsole::send_pending() {
  uint8_t chunk[kChunk];
  size_t n = 0;
  {
    std::lock_guard lock(m_out_lock);
    n = std::min(m_out.size(), sizeof chunk);
    std::copy_n(m_out.begin(), n, chunk);
  }
  const ssize_t sent = send(m_client, chunk, n, MSG_NOSIGNAL | MSG_DONTWAIT);
  if (sent < 0) {
    if (errno != EAGAIN && errno != EINTR) drop_client();
    return;
  }
  // If put() overflowed kBacklog meanwhile, it dropped bytes from the front too, and this
  // removes as many more as were sent: an overflowing console loses output either way.
  std::lock_guard lock(m_out_lock);
  const auto gone = static_cast<std::ptrdiff_t>(std::min(static_cast<size_t>(sent), m_out.size()));
  m_out.erase(m_out.begin(), m_out.begin() + gone);
}

void SocketConsole::deliver_pending() {
  std::lock_guard lock(m_in_lock);
  if (!m_deliver || m_in.empty()) return;
  bool any = false;
  while (!m_in.empty() && m_deliver(m_in.front())) {
    m_in.pop_front();
    any = true;
  }
  if (any && m_notify) m_notify();
}

void SocketConsole::drop_client() {
  if (m_client < 0) return;
  close(m_client);
  m_client = -1;
  m_has_client.store(false);
}

}  // namespace tandem::cli

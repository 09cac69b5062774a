// SPDX-License-Identifier: Apache-2.0
#include "backends/hosted/gdb/gdb_server.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace tandem::gdb {
namespace {

constexpr int kPollMs = 100;

int listen_tcp(const std::string& host, const std::string& port, std::string& address,
               std::string& error) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  if (const int rc = getaddrinfo(host.c_str(), port.c_str(), &hints, &found); rc != 0) {
    error = "cannot resolve '" + host + ":" + port + "': " + gai_strerror(rc);
    return -1;
  }
  int fd = -1;
  for (addrinfo* a = found; a != nullptr && fd < 0; a = a->ai_next) {
    fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) continue;
    const int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(fd, a->ai_addr, a->ai_addrlen) != 0 || ::listen(fd, 1) != 0) {
      error = "cannot listen on ";
      error.append(host).append(":").append(port).append(": ").append(std::strerror(errno));
      close(fd);
      fd = -1;
    }
  }
  freeaddrinfo(found);
  if (fd < 0) return -1;
  sockaddr_storage bound{};
  socklen_t len = sizeof bound;
  getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &len);
  char name[INET6_ADDRSTRLEN] = "?";
  unsigned short bound_port = 0;
  if (bound.ss_family == AF_INET) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(&bound);
    inet_ntop(AF_INET, &in->sin_addr, name, sizeof name);
    bound_port = ntohs(in->sin_port);
  } else if (bound.ss_family == AF_INET6) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(&bound);
    inet_ntop(AF_INET6, &in6->sin6_addr, name, sizeof name);
    bound_port = ntohs(in6->sin6_port);
  }
  address = std::string("tcp ") + name + ":" + std::to_string(bound_port);
  return fd;
}

int listen_unix(const std::string& path, std::string& error) {
  sockaddr_un addr{};
  if (path.empty() || path.size() >= sizeof addr.sun_path) {
    error = "the unix socket path is empty or longer than " +
            std::to_string(sizeof addr.sun_path - 1) + " bytes";
    return -1;
  }
  // A socket left by an earlier run is replaced; any other file is not touched.
  struct stat st {};
  if (lstat(path.c_str(), &st) == 0 && S_ISSOCK(st.st_mode)) unlink(path.c_str());
  const int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    error = std::string("socket: ") + std::strerror(errno);
    return -1;
  }
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path.data(), path.size());
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(fd, 1) != 0) {
    error = "cannot listen on " + path + ": " + std::strerror(errno);
    close(fd);
    return -1;
  }
  return fd;
}

}  // namespace

std::unique_ptr<GdbServer> GdbServer::listen(const std::string& spec, std::string& error) {
  std::unique_ptr<GdbServer> s(new GdbServer);
  if (spec.rfind("unix:", 0) == 0) {
    s->m_unix_path = spec.substr(5);
    s->m_listen = listen_unix(s->m_unix_path, error);
    s->m_address = "unix " + s->m_unix_path;
  } else if (spec.rfind("tcp:", 0) == 0) {
    const std::string rest = spec.substr(4);
    const size_t colon = rest.rfind(':');
    const std::string host = colon == std::string::npos ? "" : rest.substr(0, colon);
    const std::string port = colon == std::string::npos ? "" : rest.substr(colon + 1);
    if (port.empty() || port.find_first_not_of("0123456789") != std::string::npos ||
        port.size() > 5 || std::stoul(port) > 65535) {
      error = "'" + spec + "' has no port number (tcp::PORT or tcp:HOST:PORT)";
      return nullptr;
    }
    s->m_listen = listen_tcp(host.empty() ? "127.0.0.1" : host, port, s->m_address, error);
  } else {
    error = "'" + spec + "' is neither tcp::PORT, tcp:HOST:PORT nor unix:PATH";
    return nullptr;
  }
  if (s->m_listen < 0) {
    s->m_unix_path.clear();  // not ours to remove
    return nullptr;
  }
  return s;
}

GdbServer::~GdbServer() {
  {
    std::lock_guard lock(m_mutex);
    m_shutdown = true;
  }
  m_cv.notify_all();
  if (m_thread.joinable()) m_thread.join();
  if (m_client >= 0) close(m_client);
  if (m_listen >= 0) close(m_listen);
  if (!m_unix_path.empty()) unlink(m_unix_path.c_str());
}

void GdbServer::attach(Target& target, Arch arch, std::function<void()> interrupt) {
  m_target = &target;
  m_arch = &describe(arch);
  m_interrupt = std::move(interrupt);
}

void GdbServer::wait_for_client() {
  for (;;) {
    const int fd = accept4(m_listen, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd >= 0) {
      const int one = 1;
      setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);  // fails harmlessly on unix
      m_client = fd;
      m_stop_wanted = true;
      return;
    }
    if (errno != EINTR) {
      spdlog::warn("gdb: accept failed: {}; the guest runs without a debugger",
                   std::strerror(errno));
      return;
    }
  }
}

void GdbServer::start() {
  {
    std::lock_guard lock(m_mutex);
    m_running = true;
  }
  m_thread = std::thread([this] { listener(); });
}

void GdbServer::listener() {
  std::unique_lock lock(m_mutex);
  while (!m_shutdown) {
    if (!m_running) {
      m_cv.wait_for(lock, std::chrono::milliseconds(kPollMs));
      continue;
    }
    // Poll the client for Ctrl-C while the guest runs, or the listening socket for one.
    const int client = m_client;
    pollfd p{client >= 0 ? client : m_listen, POLLIN, 0};
    lock.unlock();
    const int ready = poll(&p, 1, kPollMs);
    lock.lock();
    if (ready <= 0 || !m_running || m_shutdown || client != m_client) continue;
    if (client >= 0) {
      // The guest may have stopped and resumed while this thread polled, and that stop's
      // conversation read what the poll saw: only bytes still unread now (a Ctrl-C, a new
      // packet) or the end of the client stop the guest.
      char byte = 0;
      const ssize_t n = recv(client, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) continue;
    }
    if (client < 0) {
      const int fd = accept4(m_listen, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) continue;
      const int one = 1;
      setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      m_client = fd;
    }
    // Bytes (0x03, or the end of a client that left) or a new client: stop the VM; the
    // session reads the socket from on_stop.
    m_running = false;
    m_stop_wanted = true;
    if (m_interrupt) m_interrupt();
  }
}

bool GdbServer::send(const std::string& payload) {
  const std::string packet = frame(payload);
  size_t done = 0;
  while (done < packet.size()) {
    const ssize_t n = ::send(m_client, packet.data() + done, packet.size() - done, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<size_t>(n);
  }
  return true;
}

void GdbServer::end_session(const char* why, bool failed) {
  if (m_target != nullptr) m_target->remove_all_breaks();
  std::lock_guard lock(m_mutex);
  if (m_client >= 0) {
    if (failed)
      spdlog::warn("gdb: {}; the session ended, the guest runs on", why);
    else
      spdlog::info("gdb: {}", why);
    shutdown(m_client, SHUT_RDWR);
    close(m_client);
    m_client = -1;
  }
  m_session.reset();
  m_reader = PacketReader{};
  m_unread.clear();
  m_waiting = false;
}

Resume GdbServer::on_stop(const StopEvent& stop) {
  {
    std::lock_guard lock(m_mutex);
    m_running = false;
    m_stop_wanted = false;
  }
  auto resume_guest = [this](Resume how) {
    std::lock_guard lock(m_mutex);
    m_running = true;
    m_cv.notify_all();
    return how;
  };
  if (m_client < 0 || m_target == nullptr) return resume_guest({ResumeKind::kContinue, 0});
  if (!m_session) m_session.emplace(*m_target, *m_arch);
  const std::string reply = m_session->stop_reply(stop);
  // A stop reply answers c/s/vCont; a client that just attached asks with `?` instead.
  if (m_waiting && !send(reply)) {
    end_session("the client went away", true);
    return resume_guest({ResumeKind::kDetach, 0});
  }
  m_waiting = false;
  char buf[4096];
  for (;;) {
    // Bytes that came after the last resuming packet first.
    std::string input;
    input.swap(m_unread);
    if (input.empty()) {
      const ssize_t n = recv(m_client, buf, sizeof buf, 0);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        end_session(n == 0 ? "the client disconnected" : "reading from the client failed", true);
        return resume_guest({ResumeKind::kDetach, 0});
      }
      input.assign(buf, static_cast<size_t>(n));
    }
    for (size_t i = 0; i < input.size(); ++i) {
      const PacketReader::Event e = m_reader.feed(static_cast<uint8_t>(input[i]));
      if (e == PacketReader::Event::kError) {
        end_session((std::string("the client sent ") + m_reader.error()).c_str(), true);
        return resume_guest({ResumeKind::kDetach, 0});
      }
      if (e != PacketReader::Event::kPacket) continue;  // acks; Ctrl-C while stopped
      if (!m_session->no_ack() && ::send(m_client, "+", 1, MSG_NOSIGNAL) != 1) {
        end_session("the client went away", true);
        return resume_guest({ResumeKind::kDetach, 0});
      }
      Session::Outcome out = m_session->handle(m_reader.packet());
      for (const std::string& r : out.replies) {
        if (!send(r)) {
          end_session("the client went away", true);
          return resume_guest({ResumeKind::kDetach, 0});
        }
      }
      if (!out.resume) continue;
      switch (out.how.kind) {
        case ResumeKind::kContinue:
        case ResumeKind::kStep: {
          // Bytes after the resuming packet are read at the next stop; a Ctrl-C among them
          // stops the guest at once.
          m_unread = input.substr(i + 1);
          m_waiting = true;
          Resume how = resume_guest(out.how);
          if (m_unread.find('\x03') != std::string::npos) m_stop_wanted = true;
          return how;
        }
        case ResumeKind::kDetach:
          end_session("the client detached", false);
          return resume_guest(out.how);
        case ResumeKind::kKill:
          end_session("the client killed the guest", false);
          return resume_guest(out.how);
      }
    }
  }
}

void GdbServer::on_exit(int status) {
  if (m_client < 0) return;
  if (m_waiting) send(Session::exit_reply(status));
  m_waiting = false;
  end_session("the guest stopped", false);
}

}  // namespace tandem::gdb

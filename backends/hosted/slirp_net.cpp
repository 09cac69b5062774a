// SPDX-License-Identifier: Apache-2.0
#include "backends/hosted/slirp_net.h"

#include <arpa/inet.h>
#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <ctime>

#include <libslirp.h>

namespace tandem::hosted {

struct SlirpNet::Timer {
  SlirpTimerCb cb;
  void* cb_opaque;
  int64_t expire_ms;  // -1: not armed
};

namespace {

int64_t now_ns() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

in_addr address(const char* dotted) {
  in_addr a{};
  inet_pton(AF_INET, dotted, &a);
  return a;
}

// slirp's poll flags and poll(2)'s.
constexpr struct {
  int slirp;
  short poll;
} kPollBits[] = {{SLIRP_POLL_IN, POLLIN},
                 {SLIRP_POLL_OUT, POLLOUT},
                 {SLIRP_POLL_PRI, POLLPRI},
                 {SLIRP_POLL_ERR, POLLERR},
                 {SLIRP_POLL_HUP, POLLHUP}};

short to_poll(int slirp_events) {
  short e = 0;
  for (const auto& b : kPollBits)
    if (slirp_events & b.slirp) e = static_cast<short>(e | b.poll);
  return e;
}

int from_poll(short revents) {
  int e = 0;
  for (const auto& b : kPollBits)
    if (revents & b.poll) e |= b.slirp;
  return e;
}

int add_poll(int fd, int events, void* opaque) {
  auto& fds = *static_cast<std::vector<pollfd>*>(opaque);
  fds.push_back({fd, to_poll(events), 0});
  return static_cast<int>(fds.size() - 1);
}

int get_revents(int idx, void* opaque) {
  auto& fds = *static_cast<std::vector<pollfd>*>(opaque);
  return idx >= 0 && static_cast<size_t>(idx) < fds.size() ? from_poll(fds[idx].revents) : 0;
}

}  // namespace

// slirp's callbacks; `opaque` is the SlirpNet, whose m_lock is held whenever slirp runs.
struct SlirpNet::Callbacks {
  static ssize_t send_packet(const void* buf, size_t len, void* opaque) {
    static_cast<SlirpNet*>(opaque)->queue_frame(static_cast<const uint8_t*>(buf), len);
    return static_cast<ssize_t>(len);
  }
  static void guest_error(const char* msg, void*) { spdlog::warn("user network: {}", msg); }
  static int64_t clock_get_ns(void*) { return now_ns(); }
  static void* timer_new(SlirpTimerCb cb, void* cb_opaque, void* opaque) {
    auto& timers = static_cast<SlirpNet*>(opaque)->m_timers;
    return timers.emplace_back(std::make_unique<Timer>(Timer{cb, cb_opaque, -1})).get();
  }
  static void timer_free(void* timer, void* opaque) {
    auto& timers = static_cast<SlirpNet*>(opaque)->m_timers;
    std::erase_if(timers, [timer](const auto& t) { return t.get() == timer; });
  }
  static void timer_mod(void* timer, int64_t expire_ms, void* opaque) {
    static_cast<Timer*>(timer)->expire_ms = expire_ms;
    static_cast<SlirpNet*>(opaque)->kick();
  }
  static void register_poll_fd(int, void*) {}
  static void unregister_poll_fd(int, void*) {}
  static void notify(void* opaque) { static_cast<SlirpNet*>(opaque)->kick(); }

  static constexpr SlirpCb kTable = {
      .send_packet = send_packet,
      .guest_error = guest_error,
      .clock_get_ns = clock_get_ns,
      .timer_new = timer_new,
      .timer_free = timer_free,
      .timer_mod = timer_mod,
      .register_poll_fd = register_poll_fd,
      .unregister_poll_fd = unregister_poll_fd,
      .notify = notify,
      .init_completed = nullptr,
      .timer_new_opaque = nullptr,
  };
};

SlirpNet::SlirpNet(std::function<void()> wake) : m_wake(std::move(wake)) {}

std::unique_ptr<SlirpNet> SlirpNet::create(const std::vector<HostForward>& forwards,
                                           std::function<void()> wake, std::string& error) {
  std::unique_ptr<SlirpNet> net(new SlirpNet(std::move(wake)));
  net->m_kick_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (net->m_kick_fd < 0) {
    error = std::string("eventfd: ") + std::strerror(errno);
    return nullptr;
  }
  // QEMU's defaults for -netdev user.
  SlirpConfig cfg{};
  cfg.version = 1;
  cfg.in_enabled = true;
  cfg.vnetwork = address("10.0.2.0");
  cfg.vnetmask = address("255.255.255.0");
  cfg.vhost = address("10.0.2.2");
  cfg.vdhcp_start = address("10.0.2.15");
  cfg.vnameserver = address("10.0.2.3");
  net->m_slirp = slirp_new(&cfg, &Callbacks::kTable, net.get());
  if (net->m_slirp == nullptr) {
    error = "libslirp could not start the user network";
    return nullptr;
  }
  for (const HostForward& f : forwards) {
    if (slirp_add_hostfwd(net->m_slirp, f.udp, f.host_addr, f.host_port, f.guest_addr,
                          f.guest_port) < 0) {
      error = "hostfwd: cannot listen on host ";
      error += f.udp ? "udp" : "tcp";
      error += " port " + std::to_string(f.host_port) + " (already in use?)";
      return nullptr;
    }
  }
  net->m_thread = std::thread([n = net.get()] { n->run(); });
  return net;
}

SlirpNet::~SlirpNet() {
  if (m_thread.joinable()) {
    {
      std::lock_guard<std::mutex> guard(m_lock);
      m_stop = true;
    }
    kick();
    m_thread.join();
  }
  if (m_slirp != nullptr) slirp_cleanup(m_slirp);
  if (m_kick_fd >= 0) close(m_kick_fd);
}

void SlirpNet::kick() {
  const uint64_t one = 1;
  (void)!write(m_kick_fd, &one, sizeof one);
}

void SlirpNet::send(std::span<const uint8_t> frame) {
  {
    std::lock_guard<std::mutex> guard(m_lock);
    slirp_input(m_slirp, frame.data(), static_cast<int>(frame.size()));
  }
  kick();  // the frame may have opened a socket the thread must poll
}

size_t SlirpNet::receive(std::span<uint8_t> out) {
  std::lock_guard<std::mutex> guard(m_lock);
  while (!m_frames.empty()) {
    std::vector<uint8_t> frame = std::move(m_frames.front());
    m_frames.pop_front();
    if (frame.size() <= out.size()) {
      std::copy(frame.begin(), frame.end(), out.begin());
      return frame.size();
    }
  }
  return 0;
}

void SlirpNet::queue_frame(const uint8_t* data, size_t size) {
  if (m_frames.size() >= kQueuedFrames) m_frames.pop_front();
  m_frames.emplace_back(data, data + size);
  m_woke = true;
}

int64_t SlirpNet::fire_timers() {
  const int64_t now_ms = now_ns() / 1'000'000;
  int64_t next = -1;
  // A callback may arm, add or free timers: look again from the start after each one.
  for (bool fired = true; fired;) {
    fired = false;
    next = -1;
    for (const auto& t : m_timers) {
      if (t->expire_ms < 0) continue;
      if (t->expire_ms <= now_ms) {
        t->expire_ms = -1;
        t->cb(t->cb_opaque);
        fired = true;
        break;
      }
      if (next < 0 || t->expire_ms - now_ms < next) next = t->expire_ms - now_ms;
    }
  }
  return next;
}

void SlirpNet::run() {
  std::vector<pollfd> fds;
  for (;;) {
    uint32_t timeout = 1000;
    {
      std::lock_guard<std::mutex> guard(m_lock);
      if (m_stop) return;
      fds.clear();
      fds.push_back({m_kick_fd, POLLIN, 0});
      const int64_t next = fire_timers();
      if (next >= 0 && next < timeout) timeout = static_cast<uint32_t>(next);
      slirp_pollfds_fill(m_slirp, &timeout, add_poll, &fds);
    }
    const int n = poll(fds.data(), fds.size(), static_cast<int>(timeout));
    if (n > 0 && (fds[0].revents & POLLIN) != 0) {
      uint64_t count = 0;
      (void)!read(m_kick_fd, &count, sizeof count);
    }
    bool woke = false;
    {
      std::lock_guard<std::mutex> guard(m_lock);
      slirp_pollfds_poll(m_slirp, n < 0, get_revents, &fds);
      fire_timers();
      woke = m_woke;
      m_woke = false;
    }
    if (woke) m_wake();
  }
}

}  // namespace tandem::hosted

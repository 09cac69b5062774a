// SPDX-License-Identifier: Apache-2.0
// User-mode networking for virtio-net on a Linux host, through Debian's libslirp, as QEMU's
// `-netdev user` does: the guest sits on 10.0.2.0/24 at 10.0.2.15 (DHCP), the gateway 10.0.2.2
// is the host (its 127.0.0.1 included), 10.0.2.3 answers DNS; outbound TCP and UDP become host
// sockets, and host port forwards reach listeners in the guest. No root, no TAP.
//
// libslirp is not thread-safe: every call into it holds m_lock. A thread of its own polls
// slirp's sockets and runs its timers; frames slirp sends to the guest wait in a bounded queue
// (the oldest are dropped when it is full) until the device takes them, and each new one calls
// `wake` so a sleeping VM loop looks at its devices.
#pragma once

#include <netinet/in.h>

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "devices/virtio/net_backend.h"

struct Slirp;

namespace tandem::hosted {

// hostfwd=tcp|udp:[hostaddr]:hostport-[guestaddr]:guestport (QEMU's words).
struct HostForward {
  bool udp = false;
  in_addr host_addr{};  // 0: every host address
  uint16_t host_port = 0;
  in_addr guest_addr{};  // 0: the guest's DHCP address (10.0.2.15)
  uint16_t guest_port = 0;
};

class SlirpNet final : public virtio::NetBackend {
 public:
  static constexpr size_t kQueuedFrames = 256;

  // Starts the network and its thread; null with the reason in `error` when a forward cannot
  // be set up (the host port is taken, say).
  static std::unique_ptr<SlirpNet> create(const std::vector<HostForward>& forwards,
                                          std::function<void()> wake, std::string& error);
  ~SlirpNet();
  SlirpNet(const SlirpNet&) = delete;
  SlirpNet& operator=(const SlirpNet&) = delete;

  void send(std::span<const uint8_t> frame) override;
  size_t receive(std::span<uint8_t> out) override;

 private:
  struct Timer;
  struct Callbacks;
  explicit SlirpNet(std::function<void()> wake);
  void run();
  void kick();
  // slirp's send_packet (m_lock held): a frame for the guest.
  void queue_frame(const uint8_t* data, size_t size);
  int64_t fire_timers();  // runs the due ones; ms to the next, -1 for none

  std::function<void()> m_wake;
  std::mutex m_lock;
  Slirp* m_slirp = nullptr;
  std::deque<std::vector<uint8_t>> m_frames;
  std::vector<std::unique_ptr<Timer>> m_timers;
  int m_kick_fd = -1;  // an eventfd: send() and slirp's notify wake the thread's poll()
  bool m_stop = false;
  bool m_woke = false;  // a frame was queued since the last wake
  std::thread m_thread;
};

}  // namespace tandem::hosted

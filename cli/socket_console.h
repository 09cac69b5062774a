// SPDX-License-Identifier: Apache-2.0
// `--console socket:PATH`: the VM's console is a Unix stream socket server at PATH, as QEMU's
// `-chardev socket,path=PATH,server=on,wait=off`. One client at a time (a second one is told so
// and closed): it gets the console's output, starting with what no client has seen yet (up to
// kBacklog bytes: what the guest wrote while none was connected), and what it sends is the
// guest's input. Output never waits for the
// client: beyond kBacklog unsent bytes the oldest are dropped. The socket file is removed when
// the console goes.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "devices/char_sink.h"

namespace tandem::cli {

class SocketConsole final : public CharSink {
 public:
  static constexpr size_t kBacklog = size_t{64} * 1024;
  // One byte of input for the guest; false when its queue is full (offered again later).
  using Deliver = std::function<bool(uint8_t)>;
  // After a batch of bytes was delivered.
  using Notify = std::function<void()>;

  // Listens at `path`: a stale socket file there is replaced, anything else (a file, a socket
  // another process serves) is refused. Null with `error` set when it cannot.
  static std::unique_ptr<SocketConsole> open(const std::string& path, std::string& error);
  SocketConsole(const SocketConsole&) = delete;
  SocketConsole& operator=(const SocketConsole&) = delete;
  ~SocketConsole();

  void put(uint8_t c) override;
  // Where the client's bytes go (none until set: they wait, up to kBacklog). Call stop_input()
  // before what `deliver` reaches goes away.
  void set_input(Deliver deliver, Notify notify);
  void stop_input() { set_input(nullptr, nullptr); }

 private:
  SocketConsole(std::string path, int listener, int wake_read, int wake_write);
  void serve();
  void accept_client();
  bool client_gone();
  void receive();
  void send_pending();
  void deliver_pending();
  void drop_client();

  std::string m_path;
  int m_listener;
  int m_wake_read;
  int m_wake_write;
  int m_client = -1;                      // the serving thread's only
  std::atomic<bool> m_has_client{false};  // for put(): whether to wake the thread
  std::atomic<bool> m_stop{false};
  std::mutex m_out_lock;
  std::deque<uint8_t> m_out;  // output not sent yet
  std::mutex m_in_lock;
  std::deque<uint8_t> m_in;  // input not delivered yet
  Deliver m_deliver;
  Notify m_notify;
  std::thread m_thread;
};

}  // namespace tandem::cli

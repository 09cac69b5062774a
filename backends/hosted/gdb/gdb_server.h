// SPDX-License-Identifier: Apache-2.0
// `tandem run --gdb tcp::PORT|tcp:HOST:PORT|unix:PATH [--wait-gdb]`: the GDB remote-protocol
// stub's socket side. A listener thread accepts one client at a time and, while the guest
// runs, watches it for Ctrl-C (0x03) or a new client: either asks the backend to stop every
// vCPU (`interrupt`). The session itself runs on the thread that runs the vCPUs, inside
// on_stop(), with the whole VM stopped (GDB's all-stop mode). A client that sends something
// no GDB sends (a bad checksum, an overlong packet) or disconnects ends its session: the
// breakpoints go and the guest runs on, and the next client may attach.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "backends/hosted/gdb/gdb_packet.h"
#include "backends/hosted/gdb/gdb_session.h"
#include "backends/hosted/gdb/gdb_target.h"
#include "core/base/arch.h"

namespace tandem::gdb {

class GdbServer {
 public:
  // Listens on `spec` (tcp::PORT listens on 127.0.0.1; PORT 0 picks a free one, which the
  // "listening" message names). nullptr with `error` set when the spec or the socket fails.
  static std::unique_ptr<GdbServer> listen(const std::string& spec, std::string& error);
  ~GdbServer();
  GdbServer(const GdbServer&) = delete;
  GdbServer& operator=(const GdbServer&) = delete;

  const std::string& address() const { return m_address; }

  // Before start(): the target and how to make every vCPU stop at its next chance.
  void attach(Target& target, Arch arch, std::function<void()> interrupt);
  // Blocks until a client connects (--wait-gdb); the guest then stops before it starts.
  void wait_for_client();
  // Starts the listener thread.
  void start();

  // Backend side, on the vCPUs' thread. A stop is wanted (Ctrl-C, a client that attached):
  // the backend stops the running vCPU and calls on_stop(kInterrupt).
  bool stop_wanted() const { return m_stop_wanted.load(std::memory_order_relaxed); }
  // A client is attached: breakpoints and steps mean something.
  bool active() const { return m_client >= 0; }
  // Serves the client until it resumes the guest. Without a client: continue.
  Resume on_stop(const StopEvent& stop);
  // The VM stopped with `status`: an attached client is told (W packet) and let go.
  void on_exit(int status);

 private:
  GdbServer() = default;
  void listener();
  bool send(const std::string& payload);
  void end_session(const char* why, bool failed);

  int m_listen = -1;
  std::atomic<int> m_client{-1};
  std::string m_address;
  std::string m_unix_path;
  Target* m_target = nullptr;
  const ArchDescription* m_arch = nullptr;
  std::function<void()> m_interrupt;
  std::optional<Session> m_session;
  PacketReader m_reader;
  std::string m_unread;  // received after a resuming packet: read at the next stop
  std::atomic<bool> m_stop_wanted{false};
  // The listener watches the client only while the guest runs (m_running); the session owns
  // the socket while the VM is stopped.
  std::mutex m_mutex;
  std::condition_variable m_cv;
  bool m_running = false;
  bool m_waiting = false;  // the client resumed the guest and waits for a stop reply
  bool m_shutdown = false;
  std::thread m_thread;
};

}  // namespace tandem::gdb

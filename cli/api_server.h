// SPDX-License-Identifier: Apache-2.0
// `tandem run --api-socket PATH`: the control protocol on a Unix stream socket. A request is one
// JSON object on one line, the reply one JSON object on one line:
//   {"cmd": "list"}                              -> {"ok": true, "vms": [{...info...}, ...]}
//   {"cmd": "info" | "stats", "vm": NAME}        -> {"ok": true, "vm": {...info...}}
//   {"cmd": "pause" | "resume" | "stop" | "reset" | "start", "vm": NAME}  -> {"ok": true}
//   {"cmd": "create", "config": PATH}            -> {"ok": true, "vm": NAME} (not started)
//   {"cmd": "quit"}                              -> {"ok": true}; every VM stops, tandem ends
// Any failure (malformed JSON, an unknown command or VM, a VM in the wrong state, a request
// longer than kMaxRequest) gets {"ok": false, "error": "..."}; no request can disturb a VM it
// does not name. Several clients may be connected at once.
#pragma once

#include <memory>
#include <string>
#include <thread>

#include "cli/commands.h"
#include "cli/vm_group.h"

namespace tandem::cli {

class ApiServer {
 public:
  static constexpr size_t kMaxRequest = size_t{64} * 1024;

  // Listens on `path` (a stale socket there is replaced). Null after printing why.
  static std::unique_ptr<ApiServer> start(const std::string& path, VmGroup& group,
                                          ConfigLoader load);
  ~ApiServer();  // stops serving and removes the socket
  ApiServer(const ApiServer&) = delete;
  ApiServer& operator=(const ApiServer&) = delete;

  // The reply to one request line (public for unit tests).
  static std::string handle(const std::string& request, VmGroup& group, const ConfigLoader& load);

 private:
  ApiServer(std::string path, int listen_fd, int wake_read, int wake_write, VmGroup& group,
            ConfigLoader load);
  void serve();

  std::string m_path;
  int m_listen;
  int m_wake_read;
  int m_wake_write;
  VmGroup& m_group;
  ConfigLoader m_load;
  std::thread m_thread;
};

}  // namespace tandem::cli

// SPDX-License-Identifier: Apache-2.0
#include "cli/api_server.h"

#include <fcntl.h>
#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>
#include <vector>

#include "core/base/arch.h"

namespace tandem::cli {
namespace {

using nlohmann::json;

json to_json(const VmInfo& info) {
  json exits = json::object();
  for (unsigned k = 0; k < kExitKindCount; k++)
    if (info.exits[k] != 0) exits[to_string(static_cast<ExitKind>(k))] = info.exits[k];
  json out = {{"name", info.name},
              {"state", to_string(info.state)},
              {"guest", info.guest},
              {"arch", to_string(info.arch)},
              {"cpus", info.cpus},
              {"mem", info.mem_bytes},
              {"console", info.console},
              {"resets", info.resets},
              {"run_seconds", info.run_seconds},
              {"guest_seconds", info.guest_seconds},
              {"exits", exits}};
  if (info.state == VmState::kStopped) {
    out["status"] = info.status;
    out["reason"] = info.reason;
  }
  return out;
}

json fail(const std::string& why) { return {{"ok", false}, {"error", why}}; }

json handle_json(const json& request, VmGroup& group, const ConfigLoader& load) {
  if (!request.is_object()) return fail("a request is a JSON object");
  const auto cmd_it = request.find("cmd");
  if (cmd_it == request.end() || !cmd_it->is_string()) return fail("no \"cmd\" string");
  const std::string cmd = *cmd_it;
  if (cmd == "list") {
    json vms = json::array();
    for (const VmInfo& info : group.list()) vms.push_back(to_json(info));
    return {{"ok", true}, {"vms", vms}};
  }
  if (cmd == "quit") {
    group.quit();
    return {{"ok", true}};
  }
  if (cmd == "create") {
    const auto path = request.find("config");
    if (path == request.end() || !path->is_string()) return fail("create needs a \"config\" path");
    auto opts = load(*path);
    if (!opts) return fail("the config has errors (see tandem's messages)");
    std::string error;
    if (opts->console.empty()) opts->console = "prefix";
    if (group.add(*opts, error) != 0) return fail(error);
    return {{"ok", true}, {"vm", group.list().back().name}};
  }
  const auto vm_it = request.find("vm");
  if (vm_it == request.end() || !vm_it->is_string())
    return fail("\"" + cmd +
                "\" needs a \"vm\" name, or is not a command (list, info, stats, "
                "pause, resume, stop, reset, start, create, quit)");
  const std::string vm = *vm_it;
  std::string error;
  if (cmd == "info" || cmd == "stats") {
    auto info = group.info(vm);
    if (!info) return fail("no VM named '" + vm + "'");
    return {{"ok", true}, {"vm", to_json(*info)}};
  }
  if (cmd == "pause") {
    error = group.pause(vm);
  } else if (cmd == "resume") {
    error = group.resume(vm);
  } else if (cmd == "stop") {
    error = group.stop(vm);
  } else if (cmd == "reset") {
    error = group.reset(vm);
  } else if (cmd == "start") {
    error = group.start(vm);
  } else {
    return fail("unknown command \"" + cmd + "\"");
  }
  if (!error.empty()) return fail(error);
  return {{"ok", true}};
}

bool send_all(int fd, const std::string& text) {
  size_t done = 0;
  while (done < text.size()) {
    // A client that does not read its replies is dropped rather than allowed to block the
    // server.
    const ssize_t n = send(fd, text.data() + done, text.size() - done, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<size_t>(n);
  }
  return true;
}

}  // namespace

std::string ApiServer::handle(const std::string& request, VmGroup& group,
                              const ConfigLoader& load) {
  json reply;
  try {
    reply = handle_json(json::parse(request), group, load);
  } catch (const json::exception& e) {
    reply = fail(std::string("malformed request: ") + e.what());
  }
  return reply.dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
}

std::unique_ptr<ApiServer> ApiServer::start(const std::string& path, VmGroup& group,
                                            ConfigLoader load) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.empty() || path.size() >= sizeof addr.sun_path) {
    spdlog::error("--api-socket {}: a socket path is 1 to {} bytes", path,
                  sizeof addr.sun_path - 1);
    return nullptr;
  }
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  struct stat st {};
  if (stat(path.c_str(), &st) == 0) {
    if (!S_ISSOCK(st.st_mode)) {
      spdlog::error("--api-socket {}: the file exists and is not a socket", path);
      return nullptr;
    }
    unlink(path.c_str());  // a stale socket from an earlier run
  }
  const int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  int wake[2] = {-1, -1};
  if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      listen(fd, 8) != 0 || pipe2(wake, O_CLOEXEC | O_NONBLOCK) != 0) {
    spdlog::error("--api-socket {}: {}", path, std::strerror(errno));
    if (fd >= 0) close(fd);
    return nullptr;
  }
  std::unique_ptr<ApiServer> server(
      new ApiServer(path, fd, wake[0], wake[1], group, std::move(load)));
  server->m_thread = std::thread([raw = server.get()] { raw->serve(); });
  return server;
}

ApiServer::ApiServer(std::string path, int listen_fd, int wake_read, int wake_write, VmGroup& group,
                     ConfigLoader load)
    : m_path(std::move(path)),
      m_listen(listen_fd),
      m_wake_read(wake_read),
      m_wake_write(wake_write),
      m_group(group),
      m_load(std::move(load)) {}

ApiServer::~ApiServer() {
  const char one = 1;
  while (write(m_wake_write, &one, 1) < 0 && errno == EINTR) {
  }
  if (m_thread.joinable()) m_thread.join();
  close(m_listen);
  close(m_wake_read);
  close(m_wake_write);
  unlink(m_path.c_str());
}

void ApiServer::serve() {
  struct Client {
    int fd;
    std::string buffer;
  };
  std::vector<Client> clients;
  for (;;) {
    std::vector<pollfd> fds{{m_wake_read, POLLIN, 0}, {m_listen, POLLIN, 0}};
    for (const Client& c : clients) fds.push_back({c.fd, POLLIN, 0});
    if (poll(fds.data(), fds.size(), -1) < 0) {
      if (errno == EINTR) continue;
      spdlog::error("control socket: poll: {}", std::strerror(errno));
      break;
    }
    if (fds[0].revents != 0) break;
    if ((fds[1].revents & POLLIN) != 0) {
      const int fd = accept4(m_listen, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
      if (fd >= 0) clients.push_back({fd, {}});
    }
    std::vector<Client> kept;
    for (size_t i = 0; i < clients.size(); i++) {
      Client& c = clients[i];
      bool open = true;
      // A client accepted in this round has no entry in `fds` yet.
      if (i + 2 < fds.size() && fds[i + 2].revents != 0) {
        char buf[4096];
        const ssize_t n = read(c.fd, buf, sizeof buf);
        if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN)) open = false;  // gone
        if (n > 0) c.buffer.append(buf, static_cast<size_t>(n));
        size_t eol;
        while (open && (eol = c.buffer.find('\n')) != std::string::npos) {
          const std::string line = c.buffer.substr(0, eol);
          c.buffer.erase(0, eol + 1);
          open = send_all(c.fd, handle(line, m_group, m_load));
        }
        if (open && c.buffer.size() > kMaxRequest) {
          send_all(c.fd, fail("request longer than " + std::to_string(kMaxRequest) +
                              " bytes; connection closed")
                                 .dump() +
                             "\n");
          open = false;
        }
      }
      if (open) {
        kept.push_back(std::move(c));
      } else {
        close(c.fd);
      }
    }
    clients = std::move(kept);
  }
  for (const Client& c : clients) close(c.fd);
}

}  // namespace tandem::cli

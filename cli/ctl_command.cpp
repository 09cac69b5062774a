// SPDX-License-Identifier: Apache-2.0
// `tandem ctl --api-socket PATH <cmd> [vm | config]`: one request to a running `tandem run
// --api-socket PATH` (api_server.h), its reply printed on stdout. Status 0 when the reply says
// ok, 1 when it carries an error, 2 when the socket cannot be reached.
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <CLI/CLI.hpp>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <nlohmann/json.hpp>
#include <string>

#include "cli/commands.h"

namespace tandem::cli {
namespace {

struct CtlArgs {
  std::string socket;
  std::string cmd;
  std::string target;
};

int ctl(const CtlArgs& args) {
  nlohmann::json request = {{"cmd", args.cmd}};
  if (!args.target.empty()) request[args.cmd == "create" ? "config" : "vm"] = args.target;
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (args.socket.size() >= sizeof addr.sun_path) {
    std::fprintf(stderr, "tandem ctl: error: socket path too long\n");
    return kExitUsage;
  }
  std::memcpy(addr.sun_path, args.socket.c_str(), args.socket.size() + 1);
  const int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0 || connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    std::fprintf(stderr, "tandem ctl: error: %s: %s\n", args.socket.c_str(), std::strerror(errno));
    if (fd >= 0) close(fd);
    return kExitUsage;
  }
  const std::string line = request.dump() + "\n";
  std::string reply;
  if (send(fd, line.data(), line.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(line.size())) {
    char buf[4096];
    ssize_t n;
    while (reply.find('\n') == std::string::npos && (n = read(fd, buf, sizeof buf)) > 0)
      reply.append(buf, static_cast<size_t>(n));
  }
  close(fd);
  if (reply.empty()) {
    std::fprintf(stderr, "tandem ctl: error: no reply from %s\n", args.socket.c_str());
    return kExitUsage;
  }
  std::fputs(reply.c_str(), stdout);
  const auto parsed = nlohmann::json::parse(reply, nullptr, false);
  return parsed.is_object() && parsed.value("ok", false) ? 0 : 1;
}

}  // namespace

void add_ctl(CLI::App& app, int& result) {
  static CtlArgs args;
  auto* cmd = app.add_subcommand("ctl", "Control the VMs of a `tandem run --api-socket PATH`");
  cmd->add_option("--api-socket", args.socket, "The socket `tandem run --api-socket` serves")
      ->required();
  cmd->add_option("command", args.cmd,
                  "list | info | stats | pause | resume | stop | reset | start | create | quit")
      ->required();
  cmd->add_option("target", args.target, "The VM's name (create: a VM config file)");
  cmd->callback([&result] { result = ctl(args); });
}

}  // namespace tandem::cli

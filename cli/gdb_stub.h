// SPDX-License-Identifier: Apache-2.0
// `--gdb SPEC [--wait-gdb]` for a VM on the emu backend: the GDB stub's socket
// (backends/hosted/gdb/gdb_server.h) with every vCPU under the backend's debugger
// (backends/emu/emu_debug.h). Declared after the VM, so it goes first.
#pragma once

#include <spdlog/spdlog.h>

#include <memory>
#include <string>

#include "backends/emu/emu_debug.h"
#include "backends/emu/emu_machine.h"
#include "backends/hosted/gdb/gdb_server.h"
#include "core/vm/vm.h"

namespace tandem::cli {

struct GdbStub {
  std::unique_ptr<gdb::GdbServer> server;
  std::unique_ptr<emu::EmuDebugger> debugger;

  // Listens on `spec`, and with `wait` blocks until a client connects (the guest then stops
  // before its first instruction). nullopt after a message if the socket cannot be opened.
  static std::optional<GdbStub> start(Vm<EmuHal>& vm, Arch arch, unsigned cpus,
                                      const std::string& spec, bool wait) {
    std::string error;
    GdbStub stub;
    stub.server = gdb::GdbServer::listen(spec, error);
    if (!stub.server) {
      spdlog::error("--gdb {}: {}", spec, error);
      return std::nullopt;
    }
    stub.debugger = std::make_unique<emu::EmuDebugger>(arch, *stub.server);
    for (unsigned i = 0; i < cpus; ++i) vm.vcpu(i).attach_debugger(*stub.debugger);
    stub.server->attach(*stub.debugger, arch, [debugger = stub.debugger.get()] {
      debugger->interrupt();
      EmuHal::wake();
    });
    std::fprintf(stderr, "tandem: gdb stub listening on %s%s\n", stub.server->address().c_str(),
                 wait ? " (waiting for a client)" : "");
    if (wait) stub.server->wait_for_client();
    stub.server->start();
    return stub;
  }
};

}  // namespace tandem::cli

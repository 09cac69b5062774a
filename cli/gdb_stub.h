// SPDX-License-Identifier: Apache-2.0
// `--gdb SPEC [--wait-gdb]`: the GDB stub's socket (backends/hosted/gdb/gdb_server.h) with every
// vCPU under its backend's debugger: emu (backends/emu/emu_debug.h, every architecture) or kvm
// (backends/kvm/kvm_debug.h, x86_64). Declared after the VM, so it goes first.
#pragma once

#include <spdlog/spdlog.h>

#include <functional>
#include <memory>
#include <string>

#include "backends/emu/emu_debug.h"
#include "backends/emu/emu_machine.h"
#include "backends/hosted/gdb/gdb_server.h"
#include "core/vm/vm.h"
#ifdef TANDEM_HAVE_KVM
#include "backends/kvm/kvm_debug.h"
#include "backends/kvm/kvm_hal.h"
#endif

namespace tandem::cli {

// Backend H's debugger: its type, how it is made, and how a Ctrl-C reaches its vCPUs.
template <class H>
struct Debugging;

template <>
struct Debugging<EmuHal> {
  using Debugger = emu::EmuDebugger;
  static std::unique_ptr<Debugger> create(Vm<EmuHal>&, gdb::GdbServer& server, Arch arch) {
    return std::make_unique<Debugger>(arch, server);
  }
  static std::function<void()> interrupter(Debugger& d) {
    return [&d] {
      d.interrupt();
      EmuHal::wake();
    };
  }
};

#ifdef TANDEM_HAVE_KVM
template <>
struct Debugging<KvmHal> {
  using Debugger = kvm::KvmDebugger;
  static std::unique_ptr<Debugger> create(Vm<KvmHal>& vm, gdb::GdbServer& server, Arch) {
    return std::make_unique<Debugger>(server, vm.address_space(), vm.exits());
  }
  static std::function<void()> interrupter(Debugger& d) {
    return [&d] { d.interrupt(); };
  }
};
#endif

template <class H>
struct GdbStub {
  std::unique_ptr<gdb::GdbServer> server;
  std::unique_ptr<typename Debugging<H>::Debugger> debugger;

  // Listens on `spec`, and with `wait` blocks until a client connects (the guest then stops
  // before its first instruction). nullopt after a message if the socket cannot be opened.
  static std::optional<GdbStub> start(Vm<H>& vm, Arch arch, unsigned cpus, const std::string& spec,
                                      bool wait) {
    std::string error;
    GdbStub stub;
    stub.server = gdb::GdbServer::listen(spec, error);
    if (!stub.server) {
      spdlog::error("--gdb {}: {}", spec, error);
      return std::nullopt;
    }
    stub.debugger = Debugging<H>::create(vm, *stub.server, arch);
    for (unsigned i = 0; i < cpus; ++i) vm.vcpu(i).attach_debugger(*stub.debugger);
    stub.server->attach(*stub.debugger, arch, Debugging<H>::interrupter(*stub.debugger));
    std::fprintf(stderr, "tandem: gdb stub listening on %s%s\n", stub.server->address().c_str(),
                 wait ? " (waiting for a client)" : "");
    if (wait) stub.server->wait_for_client();
    stub.server->start();
    return stub;
  }
};

}  // namespace tandem::cli

// SPDX-License-Identifier: Apache-2.0
// The kvm backend under a debugger (`tandem run --backend kvm --gdb`): gdb::Target over the
// vCPUs' fds with KVM's guest debugging (api.rst, KVM_SET_GUEST_DEBUG and KVM_EXIT_DEBUG):
//   software breakpoints  an int3 (0xCC) written over the instruction; KVM_GUESTDBG_USE_SW_BP
//                         makes the #BP exit to us with the PC at the int3 (VMX and SVM exit
//                         before delivering it; GDB removes its breakpoints while stopped and
//                         steps over one itself); the guest's own int3s go back to it;
//   hardware breakpoints  the debug registers DR0..DR3 with DR7 (Intel SDM vol.3B 18.2,
//   and watchpoints       KVM_GUESTDBG_USE_HW_BP): #DB after the access, DR6 says which;
//   single step           KVM_GUESTDBG_SINGLESTEP (with BLOCKIRQ: no interrupt handler entered);
//   Ctrl-C                every vCPU kicked out of KVM_RUN (KvmVcpu::request_stop).
// GDB's all-stop mode with a thread per vCPU: the vCPU thread that stops (a debug exit, or the
// first to see a stop the server wants) becomes the leader: it kicks the others out of KVM_RUN,
// waits until none is inside it, and serves the client (GdbServer::on_stop) while they wait in
// enter(). Register and guest-debug ioctls then reach the other vCPUs from the leader's thread,
// which x86 KVM allows for a vCPU that is not running. A step lets only the stepped vCPU run.
// Memory goes through the vCPU's IA-32e page tables (KvmVcpu::translate), RAM only.
#pragma once

#include <linux/kvm.h>

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <vector>

#include "backends/hosted/gdb/gdb_server.h"
#include "backends/hosted/gdb/gdb_target.h"
#include "core/vcpu/exit.h"

namespace tandem {
class AddressSpace;
class KvmVcpu;
class VmExits;
}  // namespace tandem

namespace tandem::kvm {

class KvmDebugger final : public gdb::Target {
 public:
  KvmDebugger(gdb::GdbServer& server, AddressSpace& space, VmExits& exits)
      : m_server(server), m_space(space), m_exits(exits) {}
  KvmDebugger(const KvmDebugger&) = delete;
  KvmDebugger& operator=(const KvmDebugger&) = delete;

  // Every vCPU, in order, before the guest runs.
  void add(KvmVcpu& vcpu);

  // From any thread (the server's Ctrl-C, a client that attached): every vCPU leaves KVM_RUN.
  void interrupt();

  // KvmVcpu::run, before KVM_RUN: waits while the VM is stopped for the debugger (unless this
  // vCPU is the one let run), or serves a stop the server wants. An exit: run() returns it (the
  // debugger killed the VM, or it stopped meanwhile); nullopt: go on into KVM_RUN.
  std::optional<VcpuExit> enter(unsigned cpu);
  // After run() left KVM_RUN for good (its result, any exit).
  void leave(unsigned cpu);
  // A KVM_EXIT_DEBUG of vCPU `cpu`: serves the stop. An exit: run() returns it.
  std::optional<VcpuExit> on_debug_exit(unsigned cpu, const kvm_debug_exit_arch& arch);

  // gdb::Target
  unsigned cpu_count() const override { return static_cast<unsigned>(m_vcpus.size()); }
  bool read_register(unsigned cpu, unsigned index, std::span<uint8_t> out) override;
  bool write_register(unsigned cpu, unsigned index, std::span<const uint8_t> in) override;
  std::optional<uint64_t> translate(unsigned cpu, uint64_t va) override;
  bool read_physical(uint64_t pa, std::span<uint8_t> out) override;
  bool write_physical(uint64_t pa, std::span<const uint8_t> in) override;
  bool insert_break(gdb::BreakKind kind, uint64_t addr, uint64_t len) override;
  bool remove_break(gdb::BreakKind kind, uint64_t addr, uint64_t len) override;
  void remove_all_breaks() override;

 private:
  struct SoftBreak {
    uint64_t addr;  // guest-virtual, as GDB gave it
    uint64_t pa;    // where the int3 is
    uint8_t saved;  // the byte it replaced
  };
  struct HardSlot {
    bool used = false;
    gdb::BreakKind kind = gdb::BreakKind::kHardware;
    uint64_t addr = 0;
    uint64_t len = 0;
  };

  // Stops the VM with `cpu` as the leader, serves `event` until the client resumes; the lock is
  // held on entry and exit (released while waiting and serving).
  std::optional<VcpuExit> lead(std::unique_lock<std::mutex>& lock, unsigned cpu,
                               gdb::StopEvent event);
  // KVM_SET_GUEST_DEBUG on every vCPU from the breakpoints, with single step on `stepping`.
  bool apply_debug(std::optional<unsigned> stepping);
  VcpuExit stop_exit();
  // One of the debugger's int3s is at guest-virtual `addr`.
  bool soft_break_at(uint64_t addr) const;

  gdb::GdbServer& m_server;
  AddressSpace& m_space;
  VmExits& m_exits;
  std::vector<KvmVcpu*> m_vcpus;
  std::vector<bool> m_inside;  // per vCPU: between enter() and leave()
  std::vector<SoftBreak> m_soft;
  HardSlot m_hard[4];

  std::mutex m_lock;
  std::condition_variable m_cv;
  bool m_stopped = false;            // the VM is stopped for the debugger
  std::optional<unsigned> m_runner;  // while stopped: the one vCPU let run (a step)
};

}  // namespace tandem::kvm

// SPDX-License-Identifier: Apache-2.0
// The emu backend under a debugger (`tandem run --gdb`): gdb::Target over the vCPUs' engines.
// Breakpoints are the engines' exits (uc_ctl_set_exits: the engine stops before the
// instruction at any of them; nothing is written to guest memory, and no code hook is added:
// with one bound to an address, even one never run, Unicorn 2.1.1 mis-runs Debian's arm64
// kernel, a slub BUG early in boot; the unbounded one below boots it); watchpoints
// are memory hooks over their range, and while any is set a code hook on every instruction ends the
// run at the instruction after the access (stopping inside a memory hook would replay the access on
// resume: backends/emu/README.md). Steps run the engine for one instruction. Memory is read through
// the vCPU's own page tables (core/arch/*/..._walk.h) and only ever from RAM.
//
// Everything here runs on the thread that runs the vCPUs, while no engine is inside
// uc_emu_start: the debugger's session is served between runs (EmuVcpu::run).
#pragma once

#include <unicorn/unicorn.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "backends/hosted/gdb/gdb_server.h"
#include "backends/hosted/gdb/gdb_target.h"
#include "core/base/arch.h"
#include "core/vcpu/exit.h"

namespace tandem::emu {

struct EmuCpu;

// What one vCPU's hooks found for the debugger during a run.
// A watchpoint as one vCPU's memory hook sees it (its user data).
struct WatchHook {
  EmuCpu* cpu;
  gdb::BreakKind kind;
  uint64_t addr;
  uint64_t len;
};

struct DebugState {
  bool pending = false;    // a hook or a breakpoint stopped the engine for the debugger: `event`
  bool watch_hit = false;  // a watched access happened; stop at the next instruction
  gdb::StopEvent event;
};

class EmuDebugger final : public gdb::Target {
 public:
  EmuDebugger(Arch arch, gdb::GdbServer& server) : m_arch(arch), m_server(server) {}
  EmuDebugger(const EmuDebugger&) = delete;
  EmuDebugger& operator=(const EmuDebugger&) = delete;
  ~EmuDebugger();

  void add(EmuCpu& cpu);

  // From any thread (the server's Ctrl-C): the vCPU inside a run stops at its next block
  // boundary. Only vCPUs in a run are touched: a stop request left on a vCPU that has not
  // started would end the riscv64 entry trampoline before its mret. The others see
  // stop_wanted() before they next run.
  void interrupt();
  bool stop_wanted() const { return m_server.stop_wanted(); }

  // EmuVcpu::run: before entering the engine (a stop the server wants: Ctrl-C, a client that
  // attached), and after it returned with DebugState::pending. An exit means the run ends
  // with it (the VM stopped, or the debugger killed it); nullopt: run the guest on.
  std::optional<VcpuExit> before_run(EmuCpu& cpu);
  VcpuExit after_stop(EmuCpu& cpu);
  // EmuVcpu::run, when the engine returned by itself: at a breakpoint (one of its exits), the
  // stop is made pending.
  void check_break(EmuCpu& cpu);

  // gdb::Target
  unsigned cpu_count() const override { return static_cast<unsigned>(m_cpus.size()); }
  bool read_register(unsigned cpu, unsigned index, std::span<uint8_t> out) override;
  bool write_register(unsigned cpu, unsigned index, std::span<const uint8_t> in) override;
  std::optional<uint64_t> translate(unsigned cpu, uint64_t va) override;
  bool read_physical(uint64_t pa, std::span<uint8_t> out) override;
  bool write_physical(uint64_t pa, std::span<const uint8_t> in) override;
  bool insert_break(gdb::BreakKind kind, uint64_t addr, uint64_t len) override;
  bool remove_break(gdb::BreakKind kind, uint64_t addr, uint64_t len) override;
  void remove_all_breaks() override;

 private:
  struct Break {
    gdb::BreakKind kind;
    uint64_t addr;
    uint64_t len;
    std::vector<uc_hook> hooks;  // watchpoints: one per vCPU
    // Watchpoints: what each vCPU's memory hook gets as user data.
    std::vector<std::unique_ptr<WatchHook>> watch;
  };

  // Serves the debugger from `event` until it resumes the guest.
  std::optional<VcpuExit> serve(EmuCpu& cpu, gdb::StopEvent event);
  // Runs `cpu` for one instruction; the stop to report, or nullopt if the VM stopped.
  std::optional<gdb::StopEvent> step(EmuCpu& cpu);
  bool code_break_at(uint64_t pc) const;
  // The code breakpoints but `except` (~0: none) become `cpu`'s exits; false if refused.
  bool set_exits(EmuCpu& cpu, uint64_t except);
  void set_watch_steps(bool on);

  Arch m_arch;
  gdb::GdbServer& m_server;
  std::vector<EmuCpu*> m_cpus;
  std::vector<Break> m_breaks;
  std::vector<uc_hook> m_watch_steps;  // per vCPU while watchpoints exist
  std::optional<unsigned> m_only;      // the one vCPU that runs until the next stop
};

// The debugger's view of registers (emu_debug_regs.cpp): register `index` of the
// architecture's target description (backends/hosted/gdb/gdb_arch.h).
bool read_debug_register(EmuCpu& cpu, Arch arch, unsigned index, std::span<uint8_t> out);
bool write_debug_register(EmuCpu& cpu, Arch arch, unsigned index, std::span<const uint8_t> in);

}  // namespace tandem::emu

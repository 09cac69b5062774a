// SPDX-License-Identifier: Apache-2.0
#include "backends/emu/emu_debug.h"

#include <algorithm>

#include "backends/emu/emu_coherence.h"
#include "backends/emu/emu_cpu.h"
#include "backends/emu/emu_translate.h"
#include "core/mm/guest_memory.h"
#include "core/mm/ram_table_reader.h"

namespace tandem::emu {
namespace {

constexpr uint64_t kNoUntil = ~uint64_t{0};
// Memory hooks see an access by its start address: a wider access that starts below a
// watched range and reaches into it must still be seen, so the hook range starts this much
// lower and the callback checks the overlap.
constexpr uint64_t kWidestAccess = 16;

bool is_code(gdb::BreakKind k) {
  return k == gdb::BreakKind::kSoftware || k == gdb::BreakKind::kHardware;
}

void on_watch(uc_engine*, uc_mem_type type, uint64_t address, int size, int64_t, void* user) {
  const auto& w = *static_cast<const WatchHook*>(user);
  const uint64_t end = address + static_cast<uint64_t>(size);
  if (end <= w.addr || address >= w.addr + w.len) return;
  const bool write = type == UC_MEM_WRITE;
  if ((w.kind == gdb::BreakKind::kWatchWrite && !write) ||
      (w.kind == gdb::BreakKind::kWatchRead && write))
    return;
  EmuCpu& cpu = *w.cpu;
  if (cpu.debug.watch_hit || cpu.debug.pending) return;
  cpu.debug.watch_hit = true;
  cpu.debug.event = {cpu.cpu_id, gdb::StopKind::kWatch, w.kind, w.addr};
}

// Every instruction while watchpoints exist: the one after a watched access stops the run,
// with the access complete and the PC past it (as a debug exception after the access).
void on_watch_step(uc_engine* uc, uint64_t, uint32_t, void* user) {
  auto& cpu = *static_cast<EmuCpu*>(user);
  if (!cpu.debug.watch_hit || cpu.debug.pending) return;
  cpu.debug.watch_hit = false;
  cpu.debug.pending = true;
  uc_emu_stop(uc);
}

}  // namespace

EmuDebugger::~EmuDebugger() {
  for (EmuCpu* cpu : m_cpus) cpu->debugger = nullptr;
}

void EmuDebugger::add(EmuCpu& cpu) {
  m_cpus.push_back(&cpu);
  cpu.debugger = this;
}

void EmuDebugger::interrupt() {
  for (EmuCpu* cpu : m_cpus)
    if (cpu->in_run.load()) preempt(*cpu);
}

std::optional<uint64_t> EmuDebugger::translate(unsigned index, uint64_t va) {
  if (index >= m_cpus.size()) return std::nullopt;
  EmuCpu& cpu = *m_cpus[index];
  return emu::translate(cpu, va, ram_table_reader(cpu.address_space));
}

bool EmuDebugger::read_register(unsigned cpu, unsigned index, std::span<uint8_t> out) {
  return cpu < m_cpus.size() && read_debug_register(*m_cpus[cpu], m_arch, index, out);
}

bool EmuDebugger::write_register(unsigned cpu, unsigned index, std::span<const uint8_t> in) {
  return cpu < m_cpus.size() && write_debug_register(*m_cpus[cpu], m_arch, index, in);
}

bool EmuDebugger::read_physical(uint64_t pa, std::span<uint8_t> out) {
  return !m_cpus.empty() && GuestMemory(m_cpus[0]->address_space).read(Gpa{pa}, out).ok();
}

bool EmuDebugger::write_physical(uint64_t pa, std::span<const uint8_t> in) {
  if (m_cpus.empty() || !GuestMemory(m_cpus[0]->address_space).write(Gpa{pa}, in).ok())
    return false;
  // The bytes may be code an engine has translated: every engine drops its translations
  // before it next runs.
  for (EmuCpu* cpu : m_cpus) cpu->pending_flush.fetch_or(kFlushTranslations);
  return true;
}

bool EmuDebugger::insert_break(gdb::BreakKind kind, uint64_t addr, uint64_t len) {
  for (const Break& b : m_breaks)
    if (b.kind == kind && b.addr == addr && b.len == len) return true;
  Break b{kind, addr, len, {}, {}};
  bool ok = true;
  for (EmuCpu* cpu : m_cpus) {
    if (is_code(kind)) break;  // the engines' exits, set below
    uc_hook h = 0;
    b.watch.push_back(std::make_unique<WatchHook>(WatchHook{cpu, kind, addr, len}));
    const int types = kind == gdb::BreakKind::kWatchWrite  ? UC_HOOK_MEM_WRITE
                      : kind == gdb::BreakKind::kWatchRead ? UC_HOOK_MEM_READ
                                                           : UC_HOOK_MEM_READ | UC_HOOK_MEM_WRITE;
    const uint64_t begin = addr >= kWidestAccess ? addr - kWidestAccess + 1 : 0;
    ok = uc_hook_add(cpu->uc, &h, types, reinterpret_cast<void*>(on_watch), b.watch.back().get(),
                     begin, addr + len - 1) == UC_ERR_OK;
    if (!ok) break;
    b.hooks.push_back(h);
  }
  if (!ok) {
    for (size_t i = 0; i < b.hooks.size(); ++i) uc_hook_del(m_cpus[i]->uc, b.hooks[i]);
    return false;
  }
  m_breaks.push_back(std::move(b));
  if (is_code(kind)) {
    for (EmuCpu* cpu : m_cpus) ok = set_exits(*cpu, kNoUntil) && ok;
  } else {
    set_watch_steps(true);
  }
  return ok;
}

bool EmuDebugger::set_exits(EmuCpu& cpu, uint64_t except) {
  std::vector<uint64_t> exits;
  for (const Break& b : m_breaks)
    if (is_code(b.kind) && b.addr != except) exits.push_back(b.addr);
  // The exits are compiled into the translations: every one is dropped before the next run
  // (take_flushes). With none left the engine stops only where it stopped before.
  cpu.pending_flush.fetch_or(kFlushTranslations);
  if (exits.empty() && except == kNoUntil) return uc_ctl_exits_disable(cpu.uc) == UC_ERR_OK;
  return uc_ctl_exits_enable(cpu.uc) == UC_ERR_OK &&
         uc_ctl_set_exits(cpu.uc, exits.data(), exits.size()) == UC_ERR_OK;
}

void EmuDebugger::check_break(EmuCpu& cpu) {
  const uint64_t pc = read_reg(cpu.uc, cpu.ops->pc_reg);
  if (cpu.debug.pending || !code_break_at(pc)) return;
  cpu.debug.pending = true;
  cpu.debug.event = {cpu.cpu_id, gdb::StopKind::kBreakpoint, gdb::BreakKind::kSoftware, pc};
}

bool EmuDebugger::remove_break(gdb::BreakKind kind, uint64_t addr, uint64_t len) {
  const auto it = std::find_if(m_breaks.begin(), m_breaks.end(), [&](const Break& b) {
    return b.kind == kind && b.addr == addr && b.len == len;
  });
  if (it == m_breaks.end()) return false;
  for (size_t i = 0; i < it->hooks.size(); ++i) uc_hook_del(m_cpus[i]->uc, it->hooks[i]);
  const bool code = is_code(it->kind);
  m_breaks.erase(it);
  if (code)
    for (EmuCpu* cpu : m_cpus) set_exits(*cpu, kNoUntil);
  const bool watching = std::any_of(m_breaks.begin(), m_breaks.end(),
                                    [](const Break& b) { return !is_code(b.kind); });
  if (!watching) set_watch_steps(false);
  return true;
}

void EmuDebugger::remove_all_breaks() {
  while (!m_breaks.empty()) {
    const Break& b = m_breaks.back();
    remove_break(b.kind, b.addr, b.len);
  }
  for (EmuCpu* cpu : m_cpus) cpu->debug = DebugState{};
}

void EmuDebugger::set_watch_steps(bool on) {
  if (on == !m_watch_steps.empty()) return;
  if (!on) {
    for (size_t i = 0; i < m_watch_steps.size(); ++i) uc_hook_del(m_cpus[i]->uc, m_watch_steps[i]);
    m_watch_steps.clear();
    return;
  }
  for (EmuCpu* cpu : m_cpus) {
    uc_hook h = 0;
    // begin > end: every address.
    if (uc_hook_add(cpu->uc, &h, UC_HOOK_CODE, reinterpret_cast<void*>(on_watch_step), cpu, 1, 0) ==
        UC_ERR_OK)
      m_watch_steps.push_back(h);
  }
}

bool EmuDebugger::code_break_at(uint64_t pc) const {
  return std::any_of(m_breaks.begin(), m_breaks.end(),
                     [pc](const Break& b) { return is_code(b.kind) && b.addr == pc; });
}

std::optional<gdb::StopEvent> EmuDebugger::step(EmuCpu& cpu) {
  const uint64_t pc = read_reg(cpu.uc, cpu.ops->pc_reg);
  // An engine started at one of its exits stops at once: a breakpoint here is left out.
  const bool at_break = code_break_at(pc);
  if (at_break) set_exits(cpu, pc);
  take_flushes(cpu);
  cpu.debug.pending = false;
  cpu.debug.watch_hit = false;
  cpu.has_exit = false;
  // A stop requested meanwhile (Ctrl-C reaches every vCPU) would end the step before its
  // instruction: it waits until after.
  const bool stop_requested = cpu.stop_requested.exchange(false);
  cpu.in_run = true;
  const uc_err err = uc_emu_start(cpu.uc, pc, kNoUntil, 0, 1);
  cpu.in_run = false;
  if (stop_requested) cpu.stop_requested = true;
  if (at_break) set_exits(cpu, kNoUntil);
  if (cpu.has_exit || cpu.exits.stopped()) return std::nullopt;
  if (err != UC_ERR_OK) {
    fault(cpu, "emulator error while single-stepping", pc, pc);
    return std::nullopt;
  }
  if (cpu.debug.watch_hit) {
    cpu.debug.watch_hit = false;
    return cpu.debug.event;
  }
  return gdb::StopEvent{cpu.cpu_id, gdb::StopKind::kStep, gdb::BreakKind::kSoftware, 0};
}

std::optional<VcpuExit> EmuDebugger::serve(EmuCpu& cpu, gdb::StopEvent event) {
  m_only.reset();
  for (;;) {
    const gdb::Resume how = m_server.on_stop(event);
    switch (how.kind) {
      case gdb::ResumeKind::kKill:
        cpu.exits.stop_info().set_fault(StopKind::kTimeout, "killed by the debugger");
        return cpu.exits.stop_info().as_exit(read_reg(cpu.uc, cpu.ops->pc_reg));
      case gdb::ResumeKind::kDetach: return std::nullopt;
      case gdb::ResumeKind::kStep: {
        EmuCpu& target = how.cpu < m_cpus.size() ? *m_cpus[how.cpu] : cpu;
        const auto next = step(target);
        if (!next) return cpu.exits.stop_info().as_exit(read_reg(cpu.uc, cpu.ops->pc_reg));
        event = *next;
        continue;
      }
      case gdb::ResumeKind::kContinue: {
        if (how.only && how.cpu < m_cpus.size()) m_only = how.cpu;
        // The stop was before the instruction at a breakpoint: the vCPU that stopped there
        // runs it first, without taking that breakpoint again.
        if ((m_only && *m_only != cpu.cpu_id) || !code_break_at(read_reg(cpu.uc, cpu.ops->pc_reg)))
          return std::nullopt;
        const auto next = step(cpu);
        if (!next) return cpu.exits.stop_info().as_exit(read_reg(cpu.uc, cpu.ops->pc_reg));
        if (next->stop == gdb::StopKind::kStep) return std::nullopt;
        event = *next;
        continue;
      }
    }
  }
}

std::optional<VcpuExit> EmuDebugger::before_run(EmuCpu& cpu) {
  if (m_only && *m_only != cpu.cpu_id && !m_server.stop_wanted()) {
    VcpuExit e;  // not its turn: the debugger let one other vCPU run
    e.kind = ExitKind::kTimeout;
    e.pc = read_reg(cpu.uc, cpu.ops->pc_reg);
    return e;
  }
  if (!m_server.stop_wanted()) return std::nullopt;
  return serve(cpu, {cpu.cpu_id, gdb::StopKind::kInterrupt, gdb::BreakKind::kSoftware, 0});
}

VcpuExit EmuDebugger::after_stop(EmuCpu& cpu) {
  cpu.debug.pending = false;
  if (auto e = serve(cpu, cpu.debug.event)) return *e;
  VcpuExit e;
  e.kind = ExitKind::kTimeout;  // the slice ends here; the VM runs the vCPU again
  e.pc = read_reg(cpu.uc, cpu.ops->pc_reg);
  return e;
}

}  // namespace tandem::emu

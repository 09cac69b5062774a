// SPDX-License-Identifier: Apache-2.0
#include "backends/emu/emu_icount.h"

#include <algorithm>

#include "backends/emu/emu_cpu.h"
#include "backends/hosted/host_idle.h"

namespace tandem::emu {
namespace {

struct IcountClock {
  bool on = false;
  unsigned shift = 0;
  Icount count;
  EmuCpu* running = nullptr;  // the vCPU whose block `count` holds: the last that started one
};

// Process-wide: EmuHal::now_ns() is static (emu_icount.h).
IcountClock g_clock;

// Instructions that start in [from, to) of the current block.
uint64_t insns_between(EmuCpu& cpu, uint64_t from, uint64_t to) {
  if (cpu.ops->insns_between == nullptr) return (to - from) / 4;  // fixed 4-byte encodings
  return cpu.ops->insns_between(cpu, from, to);
}

// A whole block's instructions: size / 4 where every instruction is 4 bytes, else the count the
// translator keeps for the block (found in its cache: the block is about to run).
uint32_t block_insns(EmuCpu& cpu, uint64_t address, uint32_t size) {
  if (cpu.ops->insns_between == nullptr) return size / 4;
  uc_tb tb{};
  if (uc_ctl_request_cache(cpu.uc, address, &tb) == UC_ERR_OK && tb.pc == address) return tb.icount;
  return static_cast<uint32_t>(cpu.ops->insns_between(cpu, address, address + size));
}

bool in_block(const Icount& ic, uint64_t pc) {
  return pc >= ic.block_pc && pc - ic.block_pc < ic.block_size;
}

}  // namespace

Result<void> enable_icount(unsigned shift) {
  if (shift > kMaxIcountShift) return Error(Status::kInvalidArgument);
  g_clock.on = true;
  g_clock.shift = shift;
  return ok();
}

void disable_icount() { g_clock = IcountClock{}; }
bool icount_enabled() { return g_clock.on; }
unsigned icount_shift() { return g_clock.shift; }

Result<void> icount_attach(EmuCpu& cpu) {
  // x86_64 on emu has no interrupts or timers (emu_icount.h).
  if (cpu.ops->uc_arch_id == UC_ARCH_X86) return Error(Status::kUnsupported);
  cpu.counting = true;
  return ok();
}

void icount_detach(EmuCpu& cpu) {
  if (g_clock.running == &cpu) g_clock.running = nullptr;
}

void icount_stop_at(uint64_t count) { g_clock.count.stop_at = count; }

void icount_rewind(uint64_t count) {
  g_clock.count = Icount{};
  g_clock.count.done = count;
  g_clock.running = nullptr;
}

uint64_t icount_now() {
  const Icount& ic = g_clock.count;
  EmuCpu* cpu = g_clock.running;
  if (cpu == nullptr || !cpu->in_run.load(std::memory_order_relaxed) || ic.cut)
    return ic.done + ic.block;
  const uint64_t pc = read_reg(cpu->uc, cpu->ops->pc_reg);
  if (!in_block(ic, pc)) return ic.done + ic.block;
  return ic.done + insns_between(*cpu, ic.block_pc, pc);
}

uint64_t icount_now_ns() { return icount_now() << g_clock.shift; }

uint64_t icount_deadline(uint64_t deadline_ns) {
  const uint64_t mask = (uint64_t{1} << g_clock.shift) - 1;
  return (deadline_ns >> g_clock.shift) + ((deadline_ns & mask) != 0 ? 1 : 0);
}

void icount_idle_until(uint64_t deadline_ns) {
  if (deadline_ns == kNoDeadline) return hosted::idle_until(deadline_ns);
  if (g_clock.running != nullptr) icount_close(*g_clock.running);
  g_clock.count.done = std::max(g_clock.count.done, icount_deadline(deadline_ns));
}

bool icount_block(EmuCpu& cpu, uint64_t address, uint32_t size, bool stopping) {
  g_clock.running = &cpu;
  Icount& ic = g_clock.count;
  ic.done += ic.block;
  ic.block_pc = address;
  ic.block_size = size;
  ic.block = 0;
  ic.cut = false;
  if (stopping) return false;
  if (ic.done >= ic.stop_at) {
    // Ends the run as a time slice (run() returns kTimeout), before this block.
    cpu.stop_requested.store(true, std::memory_order_relaxed);
    return false;
  }
  ic.block = block_insns(cpu, address, size);
  return true;
}

void icount_cut(EmuCpu& cpu, uint64_t pc, bool retired) {
  Icount& ic = g_clock.count;
  if (!cpu.counting || g_clock.running != &cpu || ic.cut || !in_block(ic, pc)) return;
  ic.block = static_cast<uint32_t>(insns_between(cpu, ic.block_pc, pc)) + (retired ? 1 : 0);
  ic.cut = true;
}

void icount_close(EmuCpu& cpu) {
  Icount& ic = g_clock.count;
  // A run that stopped before its first block: the current block (if any) is another vCPU's,
  // closed when that one's run ended.
  if (!cpu.counting || g_clock.running != &cpu) return;
  // The engine returned inside the block or at its end (riscv64's WFI does not end its
  // translation block, whose count then takes in what follows; an EBREAK; a debugger's exit):
  // the block ran up to the PC.
  const uint64_t pc = read_reg(cpu.uc, cpu.ops->pc_reg);
  if (!ic.cut && ic.block_size != 0 && pc >= ic.block_pc && pc - ic.block_pc <= ic.block_size)
    ic.block = static_cast<uint32_t>(insns_between(cpu, ic.block_pc, pc));
  ic.done += ic.block;
  ic.block = 0;
  ic.block_size = 0;
  ic.cut = false;
}

}  // namespace tandem::emu

// SPDX-License-Identifier: Apache-2.0
// The state one Unicorn engine (one vCPU) shares with its hooks, and the per-architecture parts
// of the backend. It lives on the heap and never moves: Unicorn holds its address as hook user
// data, while EmuVcpu itself stays movable.
#pragma once

#include <unicorn/unicorn.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

#include "backends/emu/emu_code_buffer.h"
#include "backends/emu/emu_coherence.h"
#include "backends/emu/emu_debug.h"
#include "backends/emu/emu_icount.h"
#include "backends/emu/emu_insn_trace.h"
#include "backends/emu/emu_ticker.h"
#include "core/base/result.h"
#include "core/vcpu/boot_state.h"
#include "core/vcpu/exit.h"
#include "core/vcpu/vcpu.h"
#include "core/vm/vm_exits.h"

namespace tandem {
class AddressSpace;
class VmExits;
}  // namespace tandem

namespace tandem::emu {

struct EmuCpu;
struct ArchOps;

// Makes the engine's current (or next) uc_emu_start return, from any thread: sets the request
// the block hook takes at the next translation-block boundary, before any instruction of that
// block has run. Never a uc_emu_stop from another thread: one landing in the middle of a block
// (after a guest load or store, or inside an MMIO callback) makes Unicorn re-execute the start
// of the block on resume, which replays device accesses and lets registers run ahead of memory
// (backends/emu/README.md, "Preemption"; tests emu_*_mmio_once and emu_*_replay).
void preempt(EmuCpu& cpu);
// The one UC_HOOK_BLOCK of every engine: takes preempt()'s request at a block boundary. (A
// second block hook would make Unicorn call every block hook through its generic helper, ~10x
// the cost per block.)
[[nodiscard]] Result<void> install_block_hook(EmuCpu& cpu);

// One MMIO region as Unicorn's callbacks see it: they get an offset, the bus wants a GPA.
struct MmioWindow {
  EmuCpu* cpu;
  uint64_t base;
};

struct EmuCpu {
  EmuCpu(const ArchOps& o, const VcpuSetup& s)
      : ops(&o),
        cpu_id(s.cpu_id),
        cpu_count(s.cpu_count),
        address_space(s.address_space),
        exits(s.exits),
        chip(s.irq_chip),
        clock(s.clock) {}
  EmuCpu(const EmuCpu&) = delete;
  EmuCpu& operator=(const EmuCpu&) = delete;
  ~EmuCpu();

  const ArchOps* ops;
  unsigned cpu_id;
  unsigned cpu_count;
  AddressSpace& address_space;
  VmExits& exits;
  IrqChip* chip;                 // null: no interrupts (x86, or a VM without a chip)
  GuestClock clock;              // the chip's time base
  uint32_t lines = 0;            // interrupt inputs asserted on the engine now (cpu_irq bits)
  uint32_t seen_generation = 0;  // the chip's generation() when `lines` was computed
  uint64_t armed = kNoDeadline;  // GuestClock time the ticker ends this slice at
  Ticker ticker{[this] { preempt(*this); }};
  uc_engine* uc = nullptr;
  CodeBuffer code;                         // the engine's translation buffer, bounded
  uc_context* context = nullptr;           // scratch: aarch64 syndrome reads, riscv64 mip writes
  std::vector<MmioWindow> mmio;            // sized once at create(); hooks hold element addresses
  std::shared_ptr<EmuPeers> peers;         // the machine's other vCPUs (null: alone)
  std::atomic<uint32_t> pending_flush{0};  // kFlush* bits other vCPUs asked for
  CodePages code_drops;                    // pages other vCPUs asked it to drop code from
  std::atomic<bool> stop_requested{false};
  // Inside uc_emu_start (hooks are running); set on the vCPU's thread, read by the debugger's
  // Ctrl-C from another (emu_debug.h).
  std::atomic<bool> in_run{false};
  bool left_machine_mode = false;  // riscv64: the mret trampoline has run
  bool has_exit = false;           // a hook ended the run with `exit`
  // The block hook stops the engine when a block starts here (0: never) and sets `watch_hit`;
  // the run then calls ArchOps::watched_block and goes on. aarch64 finishes a synchronous
  // exception from EL0 at the IRQ vector it entered through.
  uint64_t block_watch = 0;
  bool watch_hit = false;
  uint64_t watch_target = 0;  // aarch64: the synchronous vector to continue at
  uint32_t watch_esr = 0;     // aarch64: ESR_EL1 / FAR_EL1 of that exception
  uint64_t watch_far = 0;
  VcpuExit exit;
  VcpuExit access;                  // device_access()'s record
  EmuDebugger* debugger = nullptr;  // --gdb (emu_debug.h)
  DebugState debug;
  InsnTrace insn_trace;   // --trace insn= (emu_insn_trace.h)
  char reason[96] = {};   // fault text that needs formatting (exit.reason points here)
  bool counting = false;  // --icount: this vCPU's instructions are guest time (emu_icount.h)
};

// A hook ends the run: remembers the exit run() returns and stops the engine. Never used for
// accesses that must complete (MMIO), see emu_memory.cpp.
void end_run(EmuCpu& cpu, const VcpuExit& exit);

// Reports a guest fault to the VM (which stops it) and ends the run with a kFault exit.
void fault(EmuCpu& cpu, const char* what, uint64_t addr, uint64_t pc);

// After a hook handled an exit: if the VM wants to stop (power-off, fault), stop the engine.
// Inline: it follows every device access.
inline void stop_if_vm_stopped(EmuCpu& cpu) {
  if (cpu.exits.stopped()) [[unlikely]]
    uc_emu_stop(cpu.uc);
}

// Interrupt delivery (emu_irq.cpp). sync_irqs makes the engine's interrupt inputs follow the
// chip's cpu_lines(); arm_slice arms the ticker for the chip's next timer deadline (and a
// round-robin slice when there are several vCPUs) and syncs; after_chip_access runs after a
// hook that may have changed the chip (device access, system register, hypercall): if the
// chip's generation() moved, it re-arms the ticker earlier if a timer moved and syncs.
void sync_irqs(EmuCpu& cpu);
void arm_slice(EmuCpu& cpu);
void after_chip_access(EmuCpu& cpu);

uint64_t read_reg(uc_engine* uc, int reg);

// The guest PC, read only if a trace line or fault report asks for it (PcSource): a register
// read costs about as much as a fifth of an MMIO exit.
// Inline: an out-of-line call returns the PcSource through memory on every device access.
uint64_t read_pc(const void* cpu);  // the EmuCpu's PC
inline PcSource lazy_pc(const EmuCpu& cpu) { return PcSource(read_pc, &cpu); }

// A device access (kMmioRead/Write, kIoRead/Write at `addr`) through the VM's exit entry point,
// VmExits::handle(); what a read returns. The vCPU's own exit record is reused: only the fields
// an access sets change (sign_extend and reg_bits keep their defaults, which a stop exit has
// too), so nothing is cleared per access; inlined into the hooks with handle()'s access path.
[[gnu::always_inline]] inline uint64_t device_access(EmuCpu& cpu, ExitKind kind, uint64_t addr,
                                                     unsigned size, uint64_t value) {
  VcpuExit& e = cpu.access;
  e.kind = kind;
  e.addr = addr;
  e.size = static_cast<uint8_t>(size);
  e.value = value;
  cpu.exits.handle(cpu.cpu_id, e, lazy_pc(cpu));
  return e.value;
}

void write_reg(uc_engine* uc, int reg, uint64_t value);

// Memory: every RAM region by host pointer, every MMIO region through callbacks, and the
// unmapped-access hook (emu_memory.cpp).
[[nodiscard]] Result<void> map_address_space(EmuCpu& cpu);

// Per-architecture parts. `configure` runs once on a fresh engine (model, system registers,
// hooks); `load_boot` writes a BootState; `gpr` maps a register number to Unicorn's id (-1 if
// out of range); `pc_reg` is the program counter's id; `halt_size` the length of WFI / HLT,
// which Unicorn leaves the PC after; `set_lines` asserts interrupt inputs (cpu_irq bits; null
// where Unicorn cannot deliver interrupts); `watched_block` runs, with the engine stopped, once a
// block has started at EmuCpu::block_watch (null where nothing is watched); `take_stop` (null:
// none) gets an exception that ended uc_emu_start with `err` instead of reaching UC_HOOK_INTR,
// and returns true if it delivered it to the guest, so the run goes on; `halted` (null: none)
// runs when the guest halted (WFI), to tell the chip what wakes it (IrqChip::set_wake_mask), and
// returns false if an interrupt the guest enabled is pending in the engine already, so the WFI
// completes at once; `drop_translations` (null: CodeBuffer::drop) makes the engine drop all its
// translated code (emu_coherence.h); `insns_between` counts the instructions that start in [from,
// to) of a translation block (null: every instruction is 4 bytes; emu_icount.h); `drop_code_pages`
// drops the engine's translations of code in the given guest-physical 4 KiB pages and returns
// false if it could not, so the caller drops them all (null: it always drops them all).
struct ArchOps {
  uc_arch uc_arch_id;
  uc_mode uc_mode_id;
  int pc_reg;
  uint8_t halt_size;
  Result<void> (*configure)(EmuCpu& cpu);
  Result<void> (*load_boot)(EmuCpu& cpu, const BootState& boot);
  int (*gpr)(unsigned n);
  void (*set_lines)(EmuCpu& cpu, uint32_t lines);
  void (*watched_block)(EmuCpu& cpu);
  bool (*take_stop)(EmuCpu& cpu, uc_err err);
  bool (*halted)(EmuCpu& cpu);
  void (*drop_translations)(EmuCpu& cpu);
  uint64_t (*insns_between)(EmuCpu& cpu, uint64_t from, uint64_t to);
  bool (*drop_code_pages)(EmuCpu& cpu, const uint64_t* pages, unsigned count);
};

extern const ArchOps kAarch64Ops;
extern const ArchOps kRiscv64Ops;
extern const ArchOps kX86_64Ops;

}  // namespace tandem::emu

// SPDX-License-Identifier: Apache-2.0
// The state one Unicorn engine (one vCPU) shares with its hooks, and the per-architecture parts
// of the backend. It lives on the heap and never moves: Unicorn holds its address as hook user
// data, while EmuVcpu itself stays movable.
#pragma once

#include <unicorn/unicorn.h>

#include <atomic>
#include <cstdint>
#include <thread>
#include <vector>

#include "core/base/result.h"
#include "core/vcpu/boot_state.h"
#include "core/vcpu/exit.h"
#include "core/vm/vm_exits.h"

namespace tandem {
class AddressSpace;
class VmExits;
}  // namespace tandem

namespace tandem::emu {

struct EmuCpu;
struct ArchOps;

// One MMIO region as Unicorn's callbacks see it: they get an offset, the bus wants a GPA.
struct MmioWindow {
  EmuCpu* cpu;
  uint64_t base;
};

struct EmuCpu {
  EmuCpu(const ArchOps& o, unsigned id, AddressSpace& as, VmExits& ex)
      : ops(&o), cpu_id(id), address_space(as), exits(ex) {}
  EmuCpu(const EmuCpu&) = delete;
  EmuCpu& operator=(const EmuCpu&) = delete;
  ~EmuCpu();

  const ArchOps* ops;
  unsigned cpu_id;
  AddressSpace& address_space;
  VmExits& exits;
  uc_engine* uc = nullptr;
  uc_context* context = nullptr;  // aarch64: scratch for syndrome reads
  std::vector<MmioWindow> mmio;   // sized once at create(); hooks hold element addresses
  std::atomic<bool> stop_requested{false};
  std::atomic<bool> in_run{false};  // run() is between its stop checks
  std::atomic<std::thread::id> run_thread{};
  bool left_machine_mode = false;  // riscv64: the mret trampoline has run
  bool has_exit = false;           // a hook ended the run with `exit`
  VcpuExit exit;
  char reason[96] = {};  // fault text that needs formatting (exit.reason points here)
};

// A hook ends the run: remembers the exit run() returns and stops the engine. Never used for
// accesses that must complete (MMIO), see emu_memory.cpp.
void end_run(EmuCpu& cpu, const VcpuExit& exit);

// Reports a guest fault to the VM (which stops it) and ends the run with a kFault exit.
void fault(EmuCpu& cpu, const char* what, uint64_t addr, uint64_t pc);

// After a hook handled an exit: if the VM wants to stop (power-off, fault), stop the engine.
void stop_if_vm_stopped(EmuCpu& cpu);

uint64_t read_reg(uc_engine* uc, int reg);

// The guest PC, read only if a trace line or fault report asks for it (PcSource): a register
// read costs about as much as a fifth of an MMIO exit.
PcSource lazy_pc(const EmuCpu& cpu);
void write_reg(uc_engine* uc, int reg, uint64_t value);

// Memory: every RAM region by host pointer, every MMIO region through callbacks, and the
// unmapped-access hook (emu_memory.cpp).
[[nodiscard]] Result<void> map_address_space(EmuCpu& cpu);

// Per-architecture parts. `configure` runs once on a fresh engine (model, system registers,
// hooks); `load_boot` writes a BootState; `gpr` maps a register number to Unicorn's id (-1 if
// out of range); `pc_reg` is the program counter's id; `halt_size` the length of WFI / HLT,
// which Unicorn leaves the PC after.
struct ArchOps {
  uc_arch uc_arch_id;
  uc_mode uc_mode_id;
  int pc_reg;
  uint8_t halt_size;
  Result<void> (*configure)(EmuCpu& cpu);
  Result<void> (*load_boot)(EmuCpu& cpu, const BootState& boot);
  int (*gpr)(unsigned n);
};

extern const ArchOps kAarch64Ops;
extern const ArchOps kRiscv64Ops;
extern const ArchOps kX86_64Ops;

}  // namespace tandem::emu

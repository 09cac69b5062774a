// SPDX-License-Identifier: Apache-2.0
// `--icount`: guest time as a function of the instructions the guest executed (QEMU's
// `-icount shift=N`: 2^N ns per instruction), so two runs of the same guest with the same input
// take the same path and print the same traces.
//
// The count comes from the one block hook every engine has (emu_irq.cpp): a block is counted
// when it starts (aarch64: size / 4; riscv64: the translator's own count of the block,
// uc_ctl_request_cache, since RVC mixes 2- and 4-byte instructions), and a block an exception
// leaves early is cut back to the instructions before the one that trapped (ArchOps hooks call
// icount_cut). A timer deadline becomes a count: the block hook ends the slice at the first
// block boundary at or past it (no host-time ticker), and while every vCPU idles with a timer
// armed the count jumps to the deadline (QEMU's `sleep=off`), so idle guests cost no host time.
//
// Guest time is read through EmuHal::now_ns(), a static function (core/hal.h), so the clock is
// process-wide: one VM per process (the CLI refuses more). Its vCPUs share the one count: the
// VM runs them in turn on one thread (core/vm/vm.h run()), each until an exit, a halt, or the
// end of its slice (a timer deadline, or kSliceNs of guest time when there are several:
// emu_irq.cpp), so they interleave at the same instructions in every run (QEMU's round-robin
// of vCPUs on one thread under -icount). x86_64 is refused: Unicorn cannot deliver x86
// interrupts, so nothing on that backend depends on time (backends/emu/README.md).
#pragma once

#include <cstdint>

#include "core/base/result.h"

namespace tandem::emu {

struct EmuCpu;

// The VM's count. `done` holds every instruction of the blocks before the current one; the
// current block (starting at `block_pc`, `block_size` bytes, of the vCPU that runs) adds
// `block` when the next starts or the run ends.
struct Icount {
  uint64_t done = 0;
  uint64_t block_pc = 0;
  uint32_t block_size = 0;
  uint32_t block = 0;  // instructions of the current block counted (all, unless cut)
  bool cut = false;    // an exception ended the current block early: `block` is exact
  // The count at which the block hook ends the slice (a timer deadline); ~0: none.
  uint64_t stop_at = ~uint64_t{0};
};

// Turns the process-wide icount clock on (before the VM is created: the VM's clock starts at
// count 0). `shift`: 2^shift ns per instruction, at most kMaxIcountShift.
inline constexpr unsigned kMaxIcountShift = 10;
[[nodiscard]] Result<void> enable_icount(unsigned shift);
void disable_icount();  // tests
bool icount_enabled();
unsigned icount_shift();

// A vCPU whose instructions the clock counts (kUnsupported: x86_64), and its release.
[[nodiscard]] Result<void> icount_attach(EmuCpu& cpu);
void icount_detach(EmuCpu& cpu);

// The running vCPU's slice ends at the count `count` (~0: no deadline).
void icount_stop_at(uint64_t count);
// The count goes back to `count`, no block open: what a vCPU ran before the guest's entry (the
// riscv64 boot trampoline) is not the guest's.
void icount_rewind(uint64_t count);

// Instructions executed so far by the VM's vCPUs (0 before any ran). Inside a hook, exact
// where the engine's PC is (exceptions, system registers, hypercalls); in an MMIO callback the
// PC is the block's start on Unicorn before 2.1.4 (emu_quirks.h, kImprecisePc), so the count is
// the block's first instruction.
uint64_t icount_now();
// Guest nanoseconds: icount_now() << shift.
uint64_t icount_now_ns();
// EmuHal::idle_until in icount mode: a deadline makes the count jump there at once (nothing
// runs meanwhile); no deadline waits on the host as without icount (input, pause).
void icount_idle_until(uint64_t deadline_ns);
// A GuestClock deadline (ns) as a count: the first count whose time is at or past it.
uint64_t icount_deadline(uint64_t deadline_ns);

// Engine side. The block hook's work: the block before ended, the one at `address` starts and
// is counted whole; false when the run must end before it (`stopping`: the hook stops for
// another reason; or the count reached Icount::stop_at, which then requests a stop so run()
// returns a time slice), and then none of its instructions count.
bool icount_block(EmuCpu& cpu, uint64_t address, uint32_t size, bool stopping);
// An exception ended the current block at the instruction at `pc`: the block counts the
// instructions before it, and that one too if it `retired` (a system call, a completed trap).
void icount_cut(EmuCpu& cpu, uint64_t pc, bool retired);
// uc_emu_start returned: the current block ends where it stopped (the PC, when inside it).
void icount_close(EmuCpu& cpu);

}  // namespace tandem::emu

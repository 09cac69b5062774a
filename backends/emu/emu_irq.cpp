// SPDX-License-Identifier: Apache-2.0
// Interrupts on the Unicorn backend. The VM's chip model (GICv3 + timers, PLIC + CLINT) decides
// which inputs of a vCPU are asserted; the engine is told whenever that may have changed: before
// each run, and after every hook that reached a device, a system register or a hypercall. Time
// only moves the chip forward in advance(), so a slice must end by the next timer deadline: the
// ticker asks for a stop then (and every kSliceNs when several vCPUs share the thread, and every
// kCodeCheckNs when the translation buffer is watched: emu_code_buffer.h), and the block hook
// takes it at the next translation-block boundary. The hook is what makes slicing
// safe; its cost on compute-bound guests is in bench/README.md.
#include <algorithm>

#include "backends/emu/emu_cpu.h"
#include "backends/hosted/host_paging.h"

namespace tandem::emu {
namespace {

// Round-robin slice with several vCPUs: short enough that a spinning vCPU does not hold up
// the others noticeably, long enough that the ticker costs nothing measurable (UNICORN.md).
constexpr uint64_t kSliceNs = 1'000'000;

void arm_at(EmuCpu& cpu, uint64_t deadline) {
  if (deadline >= cpu.armed) return;
  cpu.armed = deadline;
  if (cpu.counting) {
    icount_stop_at(icount_deadline(deadline));  // the block hook ends the slice there
  } else {
    cpu.ticker.arm(cpu.clock.host_ns(deadline));
  }
}

// The block hook stops the engine when a block starts at EmuCpu::block_watch. Registers are
// written with the engine stopped (a PC written from a block hook broke Unicorn's block
// chaining: SIGSEGV in tb_set_jmp_target).
bool take_watch(EmuCpu& cpu, uint64_t address) {
  if (address != cpu.block_watch || cpu.block_watch == 0) return false;
  cpu.block_watch = 0;
  cpu.watch_hit = true;
  return true;
}

}  // namespace

void preempt(EmuCpu& cpu) { cpu.stop_requested.store(true); }

Result<void> install_block_hook(EmuCpu& cpu) {
  // The stop from inside the block hook takes effect before the block's first instruction, so
  // the engine resumes at the block's start with nothing replayed.
  auto on_block = [](uc_engine* uc, uint64_t address, uint32_t, void* user) {
    auto& self = *static_cast<EmuCpu*>(user);
    if (take_watch(self, address) || self.stop_requested.load(std::memory_order_relaxed))
      uc_emu_stop(uc);
  };
  // --icount: the same, and the block is counted, or ends the slice at the count's deadline.
  auto on_block_counted = [](uc_engine* uc, uint64_t address, uint32_t size, void* user) {
    auto& self = *static_cast<EmuCpu*>(user);
    const bool stopping =
        take_watch(self, address) || self.stop_requested.load(std::memory_order_relaxed);
    if (!icount_block(self, address, size, stopping)) uc_emu_stop(uc);
  };
  void* callback = cpu.counting ? reinterpret_cast<void*>(+on_block_counted)
                                : reinterpret_cast<void*>(+on_block);
  uc_hook h;
  if (uc_hook_add(cpu.uc, &h, UC_HOOK_BLOCK, callback, &cpu, 1, 0) != UC_ERR_OK)
    return Error(Status::kBackend);
  return ok();
}

void sync_irqs(EmuCpu& cpu) {
  if (cpu.chip == nullptr || cpu.ops->set_lines == nullptr) return;
  cpu.seen_generation = cpu.chip->generation();
  const uint32_t lines = cpu.chip->cpu_lines(cpu.cpu_id);
  if (lines == cpu.lines) return;
  cpu.ops->set_lines(cpu, lines);
  const uint32_t rising = lines & ~cpu.lines;
  const uint32_t edges = rising & cpu.chip->edge_lines();
  // A delivered edge is no longer reported by the chip: remembering it as asserted would hide
  // the next one (a second IPI before the next sync) and leave the chip reporting it forever.
  cpu.lines = lines & ~edges;
  // Raised from inside a hook, an interrupt is taken only once the engine leaves its chain of
  // translation blocks, which a guest spinning in one self-chained block never does (Unicorn's
  // cpu_interrupt does not make chained blocks check; backends/emu/README.md, "Interrupts from
  // hooks"): end the slice at the next block boundary, and the next run takes it.
  if (rising != 0 && cpu.in_run) preempt(cpu);
  if (edges != 0) cpu.chip->edges_delivered(cpu.cpu_id, edges);
}

void arm_slice(EmuCpu& cpu) {
  cpu.armed = kNoDeadline;
  if (cpu.counting) icount_stop_at(kNoDeadline);
  const uint64_t now = cpu.clock.now_ns();
  // In GuestClock time, from the host's clock (which a test's frozen GuestClock does not follow);
  // with --icount from the count, so that slices end at the same instructions every run.
  const uint64_t code_check =
      cpu.counting ? now + kCodeCheckNs : hosted::now_ns() + kCodeCheckNs - cpu.clock.offset_ns();
  uint64_t deadline = cpu.code.watched() ? code_check : kNoDeadline;
  if (cpu.chip != nullptr) {
    deadline = std::min(deadline, cpu.chip->advance(now));
    if (cpu.cpu_count > 1) deadline = std::min(deadline, now + kSliceNs);
  }
  sync_irqs(cpu);
  if (deadline != kNoDeadline) arm_at(cpu, deadline);
}

void after_chip_access(EmuCpu& cpu) {
  if (cpu.chip == nullptr || cpu.chip->generation() == cpu.seen_generation) return;
  arm_at(cpu, cpu.chip->advance(cpu.clock.now_ns()));
  sync_irqs(cpu);
}

}  // namespace tandem::emu

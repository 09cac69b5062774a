// SPDX-License-Identifier: Apache-2.0
#include "backends/emu/emu_insn_trace.h"

#include "backends/emu/emu_cpu.h"

namespace tandem::emu {
namespace {

void on_insn(uc_engine*, uint64_t address, uint32_t, void* user) {
  const auto& cpu = *static_cast<const EmuCpu*>(user);
  const InsnTrace& t = cpu.insn_trace;
  if (address >= t.begin && address <= t.end) t.report(t.ctx, cpu.cpu_id, address);
}

}  // namespace

Result<void> install_insn_trace(EmuCpu& cpu, const InsnTrace& trace) {
  cpu.insn_trace = trace;
  uc_hook hook = 0;
  // begin > end: every address.
  if (uc_hook_add(cpu.uc, &hook, UC_HOOK_CODE, reinterpret_cast<void*>(on_insn), &cpu, 1, 0) !=
      UC_ERR_OK)
    return Error(Status::kBackend);
  return ok();
}

}  // namespace tandem::emu

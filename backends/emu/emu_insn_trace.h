// SPDX-License-Identifier: Apache-2.0
// `tandem run --trace` on emu. Unicorn 2.1 keeps the guest PC exact only where a code hook runs
// (its FAQ, "Why do I get a wrong PC": otherwise it is synced at block starts), so an MMIO or
// port access would be traced with the PC of an earlier instruction. A traced vCPU gets a code
// hook on every instruction: the PC of every exit line is then the instruction's own, and each
// instruction at a guest-virtual PC in [begin, end] (`--trace insn=START-END`) is reported
// before it runs. The hook covers every address and filters here: one bound to a range (even one
// never run) makes Unicorn 2.1.1 mis-run Debian's arm64 kernel (emu_debug.h), while the
// unbounded one boots it. A traced run is several times slower everywhere.
#pragma once

#include <cstdint>

#include "core/base/result.h"

namespace tandem::emu {

struct EmuCpu;

struct InsnTrace {
  uint64_t begin = 1;  // inclusive; begin > end: no instruction is reported
  uint64_t end = 0;    // inclusive
  void (*report)(void* ctx, unsigned cpu, uint64_t pc) = nullptr;
  void* ctx = nullptr;
};

// Keeps `trace` in `cpu` and adds the hook; once per vCPU.
[[nodiscard]] Result<void> install_insn_trace(EmuCpu& cpu, const InsnTrace& trace);

}  // namespace tandem::emu

// SPDX-License-Identifier: Apache-2.0
// Dropping an aarch64 engine's translations of the code in some guest-physical pages, for an
// IC IVAU another vCPU executed, or of all its code, for an IC IALLUIS (emu_coherence.h).
// Unicorn 2.1.1 drops translations only by an address it translates as an instruction fetch of the
// engine's current regime (uc_ctl_remove_cache), which fails where the page has no executable
// mapping there, as Linux's linear-map alias of kernel text has not. So the engine's stage 1 is
// turned off around the drops (SCTLR_EL1.M = 0: every address is its own physical address and
// executable), with its TLB flushed before, so no cached walk of the same number is used,
// and after, so none made without the MMU stays. The engine is not running while it is
// called.
#pragma once

#include <cstdint>

namespace tandem::emu {

struct EmuCpu;

// False (nothing dropped for certain) unless the engine is in AArch64 EL0 or EL1, the regime
// SCTLR_EL1 controls; the caller then drops every translation.
bool drop_a64_code_pages(EmuCpu& cpu, const uint64_t* pages, unsigned count);

// Every translation of code in guest RAM, page by page (a few ms for 512 MiB). uc_ctl_flush_tb
// instead zeroes the whole translation buffer, faulting in what the engine never used (on these
// machines 14-240 ms for an engine that had translated little; emu_code_buffer.h); it is still
// the way out where the pages cannot be dropped.
void drop_a64_translations(EmuCpu& cpu);

}  // namespace tandem::emu

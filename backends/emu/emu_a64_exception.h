// SPDX-License-Identifier: Apache-2.0
// aarch64 synchronous exceptions delivered to the guest's own vectors. Unicorn only reports them
// (UC_HOOK_INTR); a kernel expects its page faults, system calls from EL0, undefined
// instructions and alignment faults in its VBAR_EL1 table (../../shared/docs/UNICORN.md, "Stock
// arm64 Linux on Unicorn"). Entry per core/arch/aarch64/exception_entry.h:
//   from EL1h  ELR_EL1, SPSR_EL1, ESR_EL1, FAR_EL1 and PSTATE written in the hook, PC = VBAR +
//              0x200;
//   from EL0   the engine itself must change the exception level (its translation flags stay
//              EL0's otherwise): a virtual IRQ (HCR_EL2.VI) is raised at the return address, the
//              engine enters VBAR + 0x480 (ELR, SPSR, PSTATE, SP_EL1 done), the block hook
//              stops it there (EmuCpu::block_watch), and ESR/FAR are written, the extra VI
//              dropped and the guest continues at VBAR + 0x400, the synchronous entry of the
//              same group.
#pragma once

#include <cstdint>

#include "backends/emu/emu_a64_syndrome.h"
#include "backends/emu/emu_cpu.h"

namespace tandem::emu {

// Delivers the exception with syndrome `s` whose preferred return address is `return_address`
// (the instruction itself; the one after an SVC). False, with nothing changed, when the guest
// has no vector table (VBAR_EL1 = 0: a bare guest that never set one, whose exception stays a
// VM fault) or runs in EL1t or AArch32, which Tandem does not deliver from.
bool deliver_a64_sync(EmuCpu& cpu, uint64_t return_address, const A64Syndrome& s);

// ArchOps::watched_block: the engine has entered VBAR + 0x480 for the EL0 exception (and is
// stopped there).
void finish_a64_sync_from_el0(EmuCpu& cpu);

}  // namespace tandem::emu

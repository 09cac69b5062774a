// SPDX-License-Identifier: Apache-2.0
// Raising and clearing the guest's supervisor interrupt-pending bits. Unicorn gates host CSR
// accesses by the guest's current privilege (riscv_csrrw's check), so with the guest in S-mode a
// host write to mip is dropped, and an S-mode sip write may not touch STIP or SEIP. The write is
// therefore made with the engine's privilege switched to M for its duration, by patching the
// `priv` field of a saved context: 2.1.1 has no UC_RISCV_REG_PRIV (it is 2.1.2). The field's
// offset is not assumed: it is found once per process in a scratch engine and accepted only if
// exactly one offset passes every check (reads 3 in M-mode and 1 in S-mode; patched to M, the
// host can write mscratch and mip; left at S, a host write of mscratch is dropped). Every update
// is read back at M, so a wrong offset can never raise a wrong interrupt silently.
#pragma once

#include <unicorn/unicorn.h>

#include <cstdint>

#include "core/base/result.h"

namespace tandem::emu {

// Calibrates (once per process) and says whether mip can be written; kUnsupported if no
// offset passed the checks.
[[nodiscard]] Result<void> riscv_mip_writable();

// The guest's mip becomes (mip & ~mask) | (bits & mask). `ctx` is a context of this engine.
// kBackend if the engine did not take the write (read back differently).
[[nodiscard]] Result<void> riscv_update_mip(uc_engine* uc, uc_context* ctx, uint64_t mask,
                                            uint64_t bits);

}  // namespace tandem::emu

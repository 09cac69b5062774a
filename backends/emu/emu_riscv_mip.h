// SPDX-License-Identifier: Apache-2.0
// Raising and clearing the guest's supervisor interrupt-pending bits. Unicorn gates host CSR
// accesses by the guest's current privilege (riscv_csrrw's check), so with the guest in S-mode a
// host write to mip is dropped, and an S-mode sip write may not touch STIP or SEIP. The write is
// therefore made with the engine's privilege switched to M for its duration, by patching the
// `priv` field of a saved context: 2.1.1 has no UC_RISCV_REG_PRIV (it is 2.1.2). The field's
// offset is not assumed: it is found once per process, on the first vCPU's own engine as it
// enters S-mode, and accepted only if exactly one offset passes every check (reads 3 in M-mode
// and 1 in S-mode; patched to M, the host can write mscratch and mip; left at S, a host write
// of mscratch is dropped). Every update is read back, so a wrong offset can never raise a wrong
// interrupt silently.
#pragma once

#include <unicorn/unicorn.h>

#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/base/result.h"

namespace tandem::emu {

// The engine's CPU state as a saved context holds it (`ctx` is a context of this engine).
[[nodiscard]] std::vector<uint8_t> riscv_context_bytes(uc_engine* uc, uc_context* ctx);

// Finds the privilege field once per process: `m_mode` is riscv_context_bytes() of this engine
// taken in M-mode, and the engine is now in S-mode (after its entry's mret). The checks write
// mscratch and mip and leave both 0. kUnsupported if no offset, or more than one, passed.
[[nodiscard]] Result<void> riscv_find_priv(uc_engine* uc, uc_context* ctx,
                                           const std::vector<uint8_t>& m_mode);

// The calibrated offset of the privilege field in a saved context (kUnsupported before
// riscv_find_priv succeeded).
[[nodiscard]] Result<size_t> riscv_priv_offset();

// Switches the engine's privilege to `priv` (0 U, 1 S, 3 M) through a saved context; the
// privilege it had. `ctx` is a context of this engine.
[[nodiscard]] Result<uint64_t> riscv_set_priv(uc_engine* uc, uc_context* ctx, uint64_t priv);

// The guest's mip becomes (mip & ~mask) | (bits & mask). `ctx` is a context of this engine.
// kBackend if the engine did not take the write (read back differently).
[[nodiscard]] Result<void> riscv_update_mip(uc_engine* uc, uc_context* ctx, uint64_t mask,
                                            uint64_t bits);

}  // namespace tandem::emu

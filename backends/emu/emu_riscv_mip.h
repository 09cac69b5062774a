// SPDX-License-Identifier: Apache-2.0
// Raising and clearing the guest's supervisor interrupt-pending bits on Unicorn 2.0.1. The host
// can only write mip at the guest's own privilege, and an S-mode guest may not touch STIP or
// SEIP, so the write is done with the engine's privilege switched to M for its duration: the
// `priv` field is patched in a saved context (UNICORN.md section 2, "IRQ injection"; 2.1 adds
// UC_RISCV_REG_PRIV for this). The field's offset in the context is found once per process by
// saving a context in M-mode and one in S-mode.
#pragma once

#include <unicorn/unicorn.h>

#include <cstdint>

#include "core/base/result.h"

namespace tandem::emu {

// The guest's mip becomes (mip & ~mask) | (bits & mask). `ctx` is a context of this engine.
[[nodiscard]] Result<void> riscv_update_mip(uc_engine* uc, uc_context* ctx, uint64_t mask,
                                            uint64_t bits);

}  // namespace tandem::emu

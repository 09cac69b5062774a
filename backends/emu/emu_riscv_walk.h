// SPDX-License-Identifier: Apache-2.0
// The guest's own address translation on riscv64, for the host's reads at a guest virtual
// address (the instruction at a trapping PC): 2.1.1 has no uc_vmem_read, and uc_mem_read takes
// physical addresses. The walk itself is core/arch/riscv64/sv_walk.h.
#pragma once

#include <unicorn/unicorn.h>

#include <cstdint>
#include <optional>

namespace tandem::emu {

// The physical address `va` maps to for a fetch by the guest's supervisor mode, or nullopt if
// the tables have no valid leaf with execute permission for it. With satp.MODE = Bare it is `va`.
[[nodiscard]] std::optional<uint64_t> riscv_fetch_address(uc_engine* uc, uint64_t va);

}  // namespace tandem::emu

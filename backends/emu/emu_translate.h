// SPDX-License-Identifier: Apache-2.0
// A guest-virtual address as the vCPU's own page tables map it now (the GDB stub's memory
// packets, the instruction in a trace line): aarch64 EL1 stage 1 (SCTLR_EL1, TCR_EL1,
// TTBR0/1_EL1), riscv64 satp as the guest's S-mode sees it, x86_64 IA-32e paging (CR0, CR3,
// CR4), each walked by core/arch's walker over `read`.
#pragma once

#include <cstdint>
#include <optional>

#include "core/arch/common/table_reader.h"

namespace tandem::emu {

struct EmuCpu;

[[nodiscard]] std::optional<uint64_t> translate(EmuCpu& cpu, uint64_t va, const TableReader& read);

}  // namespace tandem::emu

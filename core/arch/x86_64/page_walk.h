// SPDX-License-Identifier: Apache-2.0
// The guest's own IA-32e paging (Intel SDM vol.3A 4.5: 4-level, and 5-level with CR4.LA57),
// for the host's accesses at a guest linear address (a debugger's memory reads): 4 KiB pages,
// 2 MiB and 1 GiB pages (PS). Permissions and protection keys are not checked.
#pragma once

#include <cstdint>
#include <optional>

#include "core/arch/common/table_reader.h"

namespace tandem::x86_64 {

struct PagingRegs {
  uint64_t cr0 = 0;  // PG (bit 31)
  uint64_t cr3 = 0;
  uint64_t cr4 = 0;  // PAE (bit 5), LA57 (bit 12)
};

// The physical address of linear address `la`, or nullopt (a non-present entry, a
// non-canonical address, paging other than IA-32e). With CR0.PG = 0 it is `la`.
[[nodiscard]] std::optional<uint64_t> translate(const PagingRegs& regs, uint64_t la,
                                                const TableReader& read);

}  // namespace tandem::x86_64

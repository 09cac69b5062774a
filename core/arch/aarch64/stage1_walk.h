// SPDX-License-Identifier: Apache-2.0
// The guest's own EL1&0 stage-1 translation (VMSAv8-64, Arm ARM DDI 0487 D8), for the host's
// accesses at a guest virtual address (a debugger's memory reads, breakpoints on kernel
// addresses): 4, 16 and 64 KiB granules, TTBR0/TTBR1 by the address's top bits, top-byte
// ignore, table/block/page descriptors. Permissions are not checked (a debugger reads what
// any mapping maps); 52-bit addresses (LPA/LPA2) are not supported.
#pragma once

#include <cstdint>
#include <optional>

#include "core/arch/common/table_reader.h"

namespace tandem::aarch64 {

struct Stage1Regs {
  uint64_t sctlr_el1 = 0;  // M (bit 0): stage 1 enabled
  uint64_t tcr_el1 = 0;
  uint64_t ttbr0_el1 = 0;
  uint64_t ttbr1_el1 = 0;
};

// The physical address `va` maps to, or nullopt (no valid descriptor, an address outside both
// ranges, a disabled walk, a reserved granule). With SCTLR_EL1.M = 0 it is `va`.
[[nodiscard]] std::optional<uint64_t> stage1_translate(const Stage1Regs& regs, uint64_t va,
                                                       const TableReader& read);

}  // namespace tandem::aarch64

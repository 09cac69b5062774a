// SPDX-License-Identifier: Apache-2.0
// The guest's own supervisor address translation (RISC-V privileged spec 10.3.2, "Virtual
// Address Translation Process") through satp's Sv39/Sv48/Sv57 tables, for the host's accesses
// at a guest virtual address (the instruction at a trapping PC, a debugger's reads). Leaves
// A/D bits alone.
#pragma once

#include <cstdint>
#include <optional>

#include "core/arch/common/table_reader.h"

namespace tandem::riscv64 {

enum class SvAccess : unsigned char {
  kFetch,  // the leaf must be executable
  kAny,    // any valid leaf (a debugger reads what is mapped, readable or executable)
};

// The physical address `va` maps to, or nullopt (no valid leaf, a misaligned superpage, an
// address that is not the sign extension of its top bit, an unknown mode). With
// satp.MODE = Bare it is `va`.
[[nodiscard]] std::optional<uint64_t> sv_translate(uint64_t satp, uint64_t va, SvAccess access,
                                                   const TableReader& read);

}  // namespace tandem::riscv64

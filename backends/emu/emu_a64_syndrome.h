// SPDX-License-Identifier: Apache-2.0
// aarch64 exception syndrome under Unicorn. Unicorn never writes ESR_EL1/FAR_EL1 on a trap; the
// syndrome and the faulting virtual address live only in QEMU's env->exception, which a saved
// uc_context carries (UNICORN.md section 2, "Syndrome registers"). The offset of that field is
// found at start-up by trapping known instructions in a scratch engine, never hard-coded, so a
// differently built libunicorn is detected instead of misread.
#pragma once

#include <unicorn/unicorn.h>

#include <cstddef>
#include <cstdint>

#include "core/base/result.h"

namespace tandem::emu {

struct A64Syndrome {
  uint32_t esr = 0;  // ESR_ELx layout: EC[31:26] IL[25] ISS[24:0] (Arm ARM D17.2.37)
  uint64_t far = 0;  // faulting virtual address (aborts only)
};

// Offset of env->exception.syndrome in a saved uc_context (the fault address follows 8 bytes
// later, as in QEMU's struct). Calibrated once per process; kUnsupported if the layout could
// not be confirmed, in which case faults are reported by Unicorn interrupt number only.
[[nodiscard]] Result<size_t> a64_syndrome_offset();

// Reads the syndrome of the exception being handled. `ctx` is a context allocated for `uc`.
[[nodiscard]] Result<A64Syndrome> read_a64_syndrome(uc_engine* uc, uc_context* ctx);

}  // namespace tandem::emu

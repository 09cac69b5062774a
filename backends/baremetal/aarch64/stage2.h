// SPDX-License-Identifier: Apache-2.0
// Stage-2 activation: the core builds the tables (core/mm/stage2_table.h) and computes
// VTCR_EL2/VTTBR_EL2; this loads them and does the TLB maintenance around it.
#pragma once

#include "core/base/result.h"
#include "core/mm/stage2_table.h"

namespace tandem::baremetal::aarch64 {

// Loads VTCR_EL2/VTTBR_EL2 for `table` after checking its geometry against what this CPU
// implements (ID_AA64MMFR0_EL1.PARange): kUnsupported, with a log line, if it does not fit.
[[nodiscard]] Result<void> activate_stage2(const Stage2Table& table);

// Drops every cached stage-1 and stage-2 translation of the current VMID; needed after the
// table lost a mapping or a permission (unmap, protect), not after a new mapping.
void flush_guest_tlb();

}  // namespace tandem::baremetal::aarch64

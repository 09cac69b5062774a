// SPDX-License-Identifier: Apache-2.0
// The guest's page-table walkers (core/arch/*/..._walk.h) reading guest RAM, for the host's
// look at a guest-virtual address (the GDB stub, the instruction in a trace line).
#pragma once

#include "core/arch/common/table_reader.h"
#include "core/mm/address_space.h"

namespace tandem {

// Reads 8-byte table entries from guest RAM through GuestMemory; `space` must outlive it.
TableReader ram_table_reader(AddressSpace& space);

}  // namespace tandem

// SPDX-License-Identifier: Apache-2.0
#include "core/mm/ram_table_reader.h"

#include "core/mm/guest_memory.h"

namespace tandem {

TableReader ram_table_reader(AddressSpace& space) {
  return {[](void* ctx, uint64_t pa, uint64_t& value) {
            auto r = GuestMemory(*static_cast<AddressSpace*>(ctx)).read_obj<uint64_t>(Gpa{pa});
            if (!r) return false;
            value = *r;
            return true;
          },
          &space};
}

}  // namespace tandem

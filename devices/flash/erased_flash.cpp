// SPDX-License-Identifier: Apache-2.0
#include "devices/flash/erased_flash.h"

#include "core/base/log.h"

namespace tandem {

uint64_t ErasedFlash::read(uint64_t offset, unsigned size) {
  (void)offset;
  return size >= 8 ? ~uint64_t{0} : (uint64_t{1} << (8 * size)) - 1;
}

void ErasedFlash::write(uint64_t offset, unsigned size, uint64_t value) {
  TLOG_DEBUG("erased-flash: %u-byte write of %#llx at +%#llx ignored (no CFI commands)", size,
             static_cast<unsigned long long>(value), static_cast<unsigned long long>(offset));
}

}  // namespace tandem

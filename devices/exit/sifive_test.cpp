// SPDX-License-Identifier: Apache-2.0
#include "devices/exit/sifive_test.h"

#include "core/base/log.h"

namespace tandem {

uint64_t SifiveTest::read(uint64_t, unsigned) { return 0; }

void SifiveTest::write(uint64_t offset, unsigned size, uint64_t value) {
  // QEMU accepts 2- and 4-byte accesses only (valid.min/max_access_size); it faults the others,
  // Tandem ignores them.
  if (offset == 0 && (size == 2 || size == 4)) {
    const uint32_t status = value & 0xFFFF;
    const int code = static_cast<int>((value >> 16) & 0xFFFF);
    switch (status) {
      case kFinisherPass: m_power.system_off(0); return;
      case kFinisherFail: m_power.system_off(code); return;
      case kFinisherReset: m_power.system_reset(); return;
      default: break;
    }
  }
  TLOG_DEBUG("sifive_test: ignored %u-byte write of %#llx at offset %#llx", size,
             static_cast<unsigned long long>(value), static_cast<unsigned long long>(offset));
}

// QEMU's hw/misc/sifive_test.c: the one register is the finisher.
bool SifiveTest::register_name(uint64_t offset, bool write, RegisterName& out) const {
  (void)write;
  return offset < 4 && out.set("finisher");
}

}  // namespace tandem

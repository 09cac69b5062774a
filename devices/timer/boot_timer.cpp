// SPDX-License-Identifier: Apache-2.0
#include "devices/timer/boot_timer.h"

#include "core/base/log.h"

namespace tandem {

uint64_t BootTimer::read(uint64_t, unsigned) { return 0; }

void BootTimer::write(uint64_t offset, unsigned size, uint64_t value) {
  if (offset == 0 && value == kMagic && !m_reported) {
    m_boot_time_ns = m_now_ns() - m_start_ns;
    m_reported = true;
    TLOG_INFO("guest boot time: %llu us", static_cast<unsigned long long>(m_boot_time_ns / 1000));
    return;
  }
  TLOG_DEBUG("boot_timer: ignored %u-byte write of %#llx at offset %#llx", size,
             static_cast<unsigned long long>(value), static_cast<unsigned long long>(offset));
}

// Firecracker's boot timer has one register, the magic-value port.
bool BootTimer::register_name(uint64_t offset, bool write, RegisterName& out) const {
  (void)write;
  return offset == 0 && out.set("magic");
}

}  // namespace tandem

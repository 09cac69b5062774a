// SPDX-License-Identifier: Apache-2.0
#include "devices/power/acpi_pm.h"

#include "core/acpi/pc_tables.h"
#include "core/base/le_bytes.h"
#include "core/base/log.h"

namespace tandem {

uint64_t AcpiPm::read(uint64_t offset, unsigned size) {
  uint64_t v = 0;
  for (unsigned i = 0; i < size && offset + i < kSize; ++i) {
    uint8_t b = m_regs[offset + i];
    if (offset + i == kControlOffset) b |= acpi::PM1_SCI_EN;
    v |= uint64_t{b} << (8 * i);
  }
  return v;
}

void AcpiPm::write(uint64_t offset, unsigned size, uint64_t value) {
  // Status bits are write-one-to-clear and never set: only enable and control hold writes.
  for (unsigned i = 0; i < size && offset + i < kSize; ++i)
    if (offset + i >= kEnableOffset) m_regs[offset + i] = static_cast<uint8_t>(value >> (8 * i));
  if (offset > kControlOffset + 1 || offset + size <= kControlOffset) return;
  const uint16_t control = static_cast<uint16_t>(load_le(m_regs + kControlOffset, 2));
  if ((control & acpi::PM1_SLP_EN) == 0) return;
  const unsigned typ = (control & acpi::PM1_SLP_TYP_MASK) >> acpi::PM1_SLP_TYP_SHIFT;
  m_regs[kControlOffset + 1] &= static_cast<uint8_t>(~(acpi::PM1_SLP_EN >> 8));  // reads as 0
  if (typ == m_s5) {
    m_power.system_off(0);
  } else {
    TLOG_DEBUG("acpi-pm: sleep type %u requested; only S5 (%u) is offered, ignored", typ,
               unsigned{m_s5});
  }
}

// ACPI 6.5 4.8.3.1 (PM1 event block: PM1_STS, PM1_EN) and 4.8.3.2 (PM1_CNT), PM1a here.
bool AcpiPm::register_name(uint64_t offset, bool write, RegisterName& out) const {
  static constexpr RegisterEntry kRegs[] = {
      {0, 2, "PM1a_STS"}, {kEnableOffset, 2, "PM1a_EN"}, {kControlOffset, 2, "PM1a_CNT"}};
  return name_from_table(kRegs, offset, write, out);
}

}  // namespace tandem

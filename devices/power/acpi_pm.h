// SPDX-License-Identifier: Apache-2.0
// The ACPI PM1a event and control blocks of Tandem's PC board (ACPI 6.5 4.8.3.1 and 4.8.3.2),
// at the ports the FADT names (core/acpi/pc_tables.h; QEMU's PIIX4 has them at 0x600 and 0x604
// too): PM1 status and enable at offsets 0 and 2, PM1 control at 4. A control write with SLP_EN
// and the \_S5 sleep type powers the VM off (status 0), which is how `poweroff` ends a Linux
// guest; other sleep types are not offered and are ignored. No event ever becomes pending, so
// status reads 0; control reads back with SCI_EN set (the system is always in ACPI mode: the
// FADT has no SMI command port).
#pragma once

#include <cstdint>

#include "core/bus/device.h"
#include "core/vm/power.h"

namespace tandem {

class AcpiPm final : public Device {
 public:
  static constexpr uint64_t kSize = 6;
  static constexpr uint64_t kEnableOffset = 2, kControlOffset = 4;

  AcpiPm(PowerControl& power, uint8_t s5_slp_typ) : m_power(power), m_s5(s5_slp_typ) {}
  AcpiPm(const AcpiPm&) = delete;
  AcpiPm& operator=(const AcpiPm&) = delete;

  const char* name() const override { return "acpi-pm"; }
  uint64_t read(uint64_t offset, unsigned size) override;
  void write(uint64_t offset, unsigned size, uint64_t value) override;
  bool register_name(uint64_t offset, bool write, RegisterName& out) const override;

 private:
  PowerControl& m_power;
  uint8_t m_s5;
  uint8_t m_regs[kSize] = {};  // status (always 0), enable, control, little-endian
};

}  // namespace tandem

// SPDX-License-Identifier: Apache-2.0
// PM1a event and control blocks (ACPI 6.5 4.8.3.1-4.8.3.2, table 4.13): the S5 write Linux's
// acpi_hw_legacy_sleep makes (SLP_TYP first, then SLP_TYP | SLP_EN) powers off; nothing else
// does.
#include <gtest/gtest.h>

#include "core/acpi/pc_tables.h"
#include "devices/power/acpi_pm.h"
#include "fakes.h"

namespace tandem {
namespace {

using test::FakePower;

constexpr uint16_t slp_typ(unsigned t) { return static_cast<uint16_t>(t << 10); }

TEST(AcpiPm, S5WithSlpEnPowersOff) {
  FakePower power;
  AcpiPm pm(power, 5);
  pm.write(AcpiPm::kControlOffset, 2, slp_typ(5) | acpi::PM1_SCI_EN);  // type first
  EXPECT_TRUE(power.offs.empty());
  pm.write(AcpiPm::kControlOffset, 2, slp_typ(5) | acpi::PM1_SLP_EN | acpi::PM1_SCI_EN);
  EXPECT_EQ(power.offs, (std::vector<int>{0}));
}

TEST(AcpiPm, ByteWritesOfTheHighHalfCount) {
  FakePower power;
  AcpiPm pm(power, 5);
  pm.write(AcpiPm::kControlOffset + 1, 1, (slp_typ(5) | acpi::PM1_SLP_EN) >> 8);
  EXPECT_EQ(power.offs, (std::vector<int>{0}));
}

TEST(AcpiPm, OtherSleepTypesAndRegistersDoNotPowerOff) {
  FakePower power;
  AcpiPm pm(power, 5);
  pm.write(AcpiPm::kControlOffset, 2, slp_typ(3) | acpi::PM1_SLP_EN);  // S3: not offered
  pm.write(0, 2, 0xffff);                                              // clear status
  pm.write(AcpiPm::kEnableOffset, 2, slp_typ(5) | acpi::PM1_SLP_EN);   // enable register
  pm.write(AcpiPm::kControlOffset, 2, slp_typ(5));                     // no SLP_EN
  EXPECT_TRUE(power.offs.empty());
  EXPECT_EQ(power.resets, 0);
}

TEST(AcpiPm, RegistersReadBack) {
  FakePower power;
  AcpiPm pm(power, 5);
  EXPECT_EQ(pm.read(0, 2), 0u);                                     // no event pending
  EXPECT_EQ(pm.read(AcpiPm::kControlOffset, 2), acpi::PM1_SCI_EN);  // always in ACPI mode
  pm.write(AcpiPm::kEnableOffset, 2, 0x0121);
  EXPECT_EQ(pm.read(AcpiPm::kEnableOffset, 2), 0x0121u);
  pm.write(0, 2, 0xffff);
  EXPECT_EQ(pm.read(0, 4), 0x0121u << 16);
  pm.write(AcpiPm::kControlOffset, 2, slp_typ(3) | acpi::PM1_SLP_EN);
  EXPECT_EQ(pm.read(AcpiPm::kControlOffset, 2), slp_typ(3) | acpi::PM1_SCI_EN);  // SLP_EN: 0
  EXPECT_EQ(pm.read(AcpiPm::kControlOffset + 1, 1), slp_typ(3) >> 8);
}

}  // namespace
}  // namespace tandem

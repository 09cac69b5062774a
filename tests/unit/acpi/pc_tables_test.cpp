// SPDX-License-Identifier: Apache-2.0
// The PC board's ACPI tables against ACPI 6.5 chapter 5: RSDP (5.2.5.3) with both checksums,
// the XSDT's pointers, every table's header and checksum (5.2.6), the FADT fields a kernel
// reads (table 5.9), the MADT's structures (5.2.12: local APIC, IOAPIC, interrupt source
// overrides) and the DSDT's \_S5 package in AML (20.2.5).
#include "core/acpi/pc_tables.h"

#include <gtest/gtest.h>

#include <array>
#include <cstring>
#include <string>

#include "core/base/le_bytes.h"

namespace tandem::acpi {
namespace {

constexpr uint64_t kGpa = 0xf0000;

class PcTables : public ::testing::Test {
 protected:
  void build(unsigned cpus) {
    PcPlatform pc;
    pc.cpus = cpus;
    ASSERT_TRUE(build_pc_tables(pc, kGpa, m_out).ok());
  }
  uint64_t at(uint64_t gpa, unsigned n) const { return load_le(m_out.data() + (gpa - kGpa), n); }
  std::string sig(uint64_t gpa, size_t n = 4) const {
    return std::string(reinterpret_cast<const char*>(m_out.data() + (gpa - kGpa)), n);
  }
  uint8_t sum(uint64_t gpa, size_t n) const {
    uint8_t s = 0;
    for (size_t i = 0; i < n; ++i) s = static_cast<uint8_t>(s + m_out[gpa - kGpa + i]);
    return s;
  }
  // A table found through the XSDT by its signature; 0 if absent.
  uint64_t table(const char* signature) const {
    const uint64_t xsdt = at(kGpa + 24, 8);
    const uint32_t len = static_cast<uint32_t>(at(xsdt + 4, 4));
    for (uint64_t e = xsdt + 36; e < xsdt + len; e += 8)
      if (sig(at(e, 8)) == signature) return at(e, 8);
    return 0;
  }

  std::array<uint8_t, kTablesSize> m_out{};
};

TEST_F(PcTables, RsdpLeadsToTheXsdt) {
  build(1);
  EXPECT_EQ(sig(kGpa, 8), "RSD PTR ");
  EXPECT_EQ(sum(kGpa, 20), 0);  // ACPI 1.0 checksum
  EXPECT_EQ(sum(kGpa, 36), 0);  // extended checksum
  EXPECT_EQ(at(kGpa + 15, 1), 2u);
  EXPECT_EQ(at(kGpa + 20, 4), 36u);
  const uint64_t xsdt = at(kGpa + 24, 8);
  EXPECT_EQ(sig(xsdt), "XSDT");
  EXPECT_EQ(at(xsdt + 4, 4), 36u + 16);
  EXPECT_EQ(sum(xsdt, 52), 0);
  EXPECT_NE(table("FACP"), 0u);
  EXPECT_NE(table("APIC"), 0u);
}

TEST_F(PcTables, FadtPointsAtTheDsdtFacsAndPm1Blocks) {
  build(1);
  const uint64_t fadt = table("FACP");
  ASSERT_NE(fadt, 0u);
  EXPECT_EQ(at(fadt + 4, 4), 276u);
  EXPECT_EQ(at(fadt + 8, 1), 6u);
  EXPECT_EQ(sum(fadt, 276), 0);
  const uint64_t facs = at(fadt + 36, 4), dsdt = at(fadt + 40, 4);
  EXPECT_EQ(sig(facs), "FACS");
  EXPECT_EQ(facs % 64, 0u);
  EXPECT_EQ(at(facs + 4, 4), 64u);
  EXPECT_EQ(sig(dsdt), "DSDT");
  EXPECT_EQ(at(fadt + 46, 2), 9u);      // SCI_INT
  EXPECT_EQ(at(fadt + 48, 4), 0u);      // SMI_CMD: always in ACPI mode
  EXPECT_EQ(at(fadt + 56, 4), 0x600u);  // PM1a_EVT_BLK
  EXPECT_EQ(at(fadt + 64, 4), 0x604u);  // PM1a_CNT_BLK
  EXPECT_EQ(at(fadt + 76, 4), 0u);      // no PM timer
  EXPECT_EQ(at(fadt + 88, 1), 4u);
  EXPECT_EQ(at(fadt + 89, 1), 2u);
  EXPECT_EQ(at(fadt + 91, 1), 0u);
  const uint64_t boot_arch = at(fadt + 109, 2);
  EXPECT_EQ(boot_arch & (1u << 1), 0u);           // no 8042
  EXPECT_NE(boot_arch & (1u << 2), 0u);           // VGA not present
  EXPECT_NE(boot_arch & (1u << 5), 0u);           // CMOS RTC not present
  EXPECT_EQ(at(fadt + 112, 4) & (1u << 20), 0u);  // not hardware-reduced: PM1 blocks are used
}

TEST_F(PcTables, DsdtHoldsTheS5Package) {
  build(1);
  const uint64_t dsdt = at(table("FACP") + 40, 4);
  const uint32_t len = static_cast<uint32_t>(at(dsdt + 4, 4));
  EXPECT_EQ(sum(dsdt, len), 0);
  const uint8_t aml[] = {0x08, '_',  'S',  '5',  '_',  0x12, 0x08,
                         0x04, 0x0a, 0x05, 0x0a, 0x05, 0x00, 0x00};
  ASSERT_EQ(len, 36u + sizeof aml);
  EXPECT_EQ(std::memcmp(m_out.data() + (dsdt - kGpa) + 36, aml, sizeof aml), 0);
}

TEST_F(PcTables, DsdtDescribesTheVirtioTransportsAfterS5) {
  const MmioTransport virtio[] = {{0xd0000000, 0x1000, 16}, {0xd0001000, 0x1000, 17}};
  PcPlatform pc;
  pc.virtio = virtio;
  ASSERT_TRUE(build_pc_tables(pc, kGpa, m_out).ok());
  const uint64_t dsdt = at(table("FACP") + 40, 4);
  const uint32_t len = static_cast<uint32_t>(at(dsdt + 4, 4));
  EXPECT_EQ(len, 36u + 14 + virtio_aml_size(2));
  EXPECT_EQ(sum(dsdt, len), 0);
  EXPECT_EQ(at(dsdt + 36 + 14, 1), 0x10u);  // ScopeOp
  EXPECT_EQ(sig(dsdt + 36 + 14 + 4), "_SB_");
  EXPECT_LE(dsdt + len, kGpa + kTablesSize);
  const MmioTransport too_many[kMaxVirtioTransports + 1] = {};
  pc.virtio = too_many;
  EXPECT_EQ(build_pc_tables(pc, kGpa, m_out).error(), Status::kInvalidArgument);
}

TEST_F(PcTables, MadtListsEachCpuTheIoapicAndTheOverrides) {
  build(2);
  const uint64_t madt = table("APIC");
  const uint32_t len = static_cast<uint32_t>(at(madt + 4, 4));
  EXPECT_EQ(sum(madt, len), 0);
  EXPECT_EQ(at(madt + 36, 4), 0xfee00000u);
  EXPECT_EQ(at(madt + 40, 4), 1u);  // PCAT_COMPAT
  unsigned lapics = 0, ioapics = 0, overrides = 0;
  for (uint64_t e = madt + 44; e < madt + len; e += at(e + 1, 1)) {
    switch (at(e, 1)) {
      case 0:
        EXPECT_EQ(at(e + 1, 1), 8u);
        EXPECT_EQ(at(e + 3, 1), lapics);  // APIC id
        EXPECT_EQ(at(e + 4, 4), 1u);      // enabled
        lapics++;
        break;
      case 1:
        EXPECT_EQ(at(e + 4, 4), 0xfec00000u);
        EXPECT_EQ(at(e + 8, 4), 0u);
        ioapics++;
        break;
      case 2:
        if (at(e + 3, 1) == 0) {
          EXPECT_EQ(at(e + 4, 4), 2u);  // PIT: IRQ 0 -> GSI 2
        } else {
          EXPECT_EQ(at(e + 3, 1), 9u);  // SCI: level, active high
          EXPECT_EQ(at(e + 8, 2), 0xdu);
        }
        overrides++;
        break;
      default: ADD_FAILURE() << "structure type " << at(e, 1);
    }
  }
  EXPECT_EQ(lapics, 2u);
  EXPECT_EQ(ioapics, 1u);
  EXPECT_EQ(overrides, 2u);
}

TEST_F(PcTables, RefusesCpuCountsAndAddressesItCannotDescribe) {
  PcPlatform pc;
  pc.cpus = 0;
  EXPECT_EQ(build_pc_tables(pc, kGpa, m_out).error(), Status::kInvalidArgument);
  pc.cpus = kMaxCpus + 1;
  EXPECT_EQ(build_pc_tables(pc, kGpa, m_out).error(), Status::kInvalidArgument);
  pc.cpus = kMaxCpus;
  EXPECT_TRUE(build_pc_tables(pc, kGpa, m_out).ok());
  pc.cpus = 1;
  EXPECT_EQ(build_pc_tables(pc, 0xfffff800, m_out).error(), Status::kInvalidArgument);
}

}  // namespace
}  // namespace tandem::acpi

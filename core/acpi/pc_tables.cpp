// SPDX-License-Identifier: Apache-2.0
#include "core/acpi/pc_tables.h"

#include "core/base/le_bytes.h"

namespace tandem::acpi {
namespace {

constexpr size_t kHeaderSize = 36;  // the System Description Table Header (5.2.6)
constexpr size_t kRsdpSize = 36;    // revision 2 (5.2.5.3)
constexpr size_t kFacsSize = 64;
constexpr size_t kFadtSize = 276;  // revision 6 (5.2.9, table 5.9)
constexpr uint8_t kOemId[6] = {'T', 'A', 'N', 'D', 'E', 'M'};

// FADT fields (table 5.9).
constexpr size_t kFadtFirmwareCtrl = 36, kFadtDsdt = 40, kFadtSciInt = 46;
constexpr size_t kFadtPm1aEvtBlk = 56, kFadtPm1aCntBlk = 64, kFadtPm1EvtLen = 88;
constexpr size_t kFadtPm1CntLen = 89, kFadtIapcBootArch = 109, kFadtFlags = 112;
constexpr size_t kFadtMinorVersion = 131;
// IAPC_BOOT_ARCH (table 5.11): no 8042 (bit 1 clear), VGA not present, CMOS RTC not present.
constexpr uint16_t kBootArchVgaNotPresent = 1u << 2, kBootArchCmosRtcNotPresent = 1u << 5;
// Flags (table 5.10): WBINVD works, C1 supported, power and sleep buttons absent as fixed
// features.
constexpr uint32_t kFadtWbinvd = 1u << 0, kFadtProcC1 = 1u << 2, kFadtPwrButton = 1u << 4;
constexpr uint32_t kFadtSlpButton = 1u << 5;

// MADT (5.2.12) structure types and their lengths.
constexpr uint8_t kMadtLocalApic = 0, kMadtIoApic = 1, kMadtIrqOverride = 2;
constexpr uint32_t kMadtPcatCompat = 1u << 0;  // 8259s present
constexpr uint32_t kLocalApicEnabled = 1u << 0;
// MPS INTI flags (table 5.26): active high, level-triggered.
constexpr uint16_t kIntiActiveHighLevel = 0x1 | (0x3 << 2);

// DSDT body: Name (_S5, Package (4) { typ, typ, 0, 0 }) in AML (ACPI 6.5 20.2.5): NameOp
// '_S5_' PackageOp PkgLength(8) NumElements(4) BytePrefix typ BytePrefix typ ZeroOp ZeroOp.
constexpr size_t kS5Size = 14;
constexpr size_t kS5Typ1 = 9, kS5Typ2 = 11;
constexpr uint8_t kS5Aml[kS5Size] = {0x08, '_',  'S',  '5',  '_',  0x12, 0x08,
                                     0x04, 0x0a, 0x00, 0x0a, 0x00, 0x00, 0x00};

uint8_t checksum(const uint8_t* p, size_t n) {
  uint8_t sum = 0;
  for (size_t i = 0; i < n; ++i) sum = static_cast<uint8_t>(sum + p[i]);
  return static_cast<uint8_t>(-sum);
}

void put(uint8_t* p, const char* text, size_t n) {
  for (size_t i = 0; i < n; ++i) p[i] = static_cast<uint8_t>(text[i]);
}

// The common header; the checksum is set by finish() once the body is written.
void header(uint8_t* t, const char* signature, uint32_t length, uint8_t revision) {
  put(t, signature, 4);
  store_le(t + 4, length, 4);
  t[8] = revision;
  for (size_t i = 0; i < 6; ++i) t[10 + i] = kOemId[i];
  put(t + 16, "TANDEMPC", 8);  // OEM table id
  store_le(t + 24, 1, 4);      // OEM revision
  put(t + 28, "TNDM", 4);      // creator id
  store_le(t + 32, 1, 4);      // creator revision
}

void finish(uint8_t* t, size_t length) { t[9] = checksum(t, length); }

void build_madt(const PcPlatform& pc, uint8_t* t) {
  size_t n = kHeaderSize;
  store_le(t + n, pc.lapic_base, 4);
  store_le(t + n + 4, kMadtPcatCompat, 4);
  n += 8;
  for (unsigned cpu = 0; cpu < pc.cpus; ++cpu, n += 8) {
    t[n] = kMadtLocalApic;
    t[n + 1] = 8;
    t[n + 2] = static_cast<uint8_t>(cpu);  // ACPI processor UID
    t[n + 3] = static_cast<uint8_t>(cpu);  // APIC id: KVM's vCPU id
    store_le(t + n + 4, kLocalApicEnabled, 4);
  }
  t[n] = kMadtIoApic;
  t[n + 1] = 12;
  t[n + 2] = 0;  // IOAPIC id (KVM's in-kernel IOAPIC resets to 0)
  store_le(t + n + 4, pc.ioapic_base, 4);
  store_le(t + n + 8, 0, 4);  // GSI base
  n += 12;
  // The PIT's IRQ 0 is GSI 2 (KVM's routing, as on every PC), and the SCI is level/high.
  const struct {
    uint8_t irq;
    uint32_t gsi;
    uint16_t flags;
  } overrides[] = {{0, 2, 0}, {pc.sci_irq, pc.sci_irq, kIntiActiveHighLevel}};
  for (const auto& o : overrides) {
    t[n] = kMadtIrqOverride;
    t[n + 1] = 10;
    t[n + 2] = 0;  // ISA bus
    t[n + 3] = o.irq;
    store_le(t + n + 4, o.gsi, 4);
    store_le(t + n + 8, o.flags, 2);
    n += 10;
  }
  header(t, "APIC", static_cast<uint32_t>(n), 5);
  finish(t, n);
}

}  // namespace

Result<void> build_pc_tables(const PcPlatform& pc, uint64_t gpa,
                             std::span<uint8_t, kTablesSize> out) {
  if (pc.cpus == 0 || pc.cpus > kMaxCpus || pc.virtio.size() > kMaxVirtioTransports ||
      gpa > (1ull << 32) - kTablesSize)
    return Error(Status::kInvalidArgument);
  for (uint8_t& b : out) b = 0;
  uint8_t* base = out.data();

  uint8_t* facs = base + kFacsOffset;
  put(facs, "FACS", 4);
  store_le(facs + 4, kFacsSize, 4);
  facs[32] = 2;  // version

  uint8_t* dsdt = base + kDsdtOffset;
  for (size_t i = 0; i < kS5Size; ++i) dsdt[kHeaderSize + i] = kS5Aml[i];
  dsdt[kHeaderSize + kS5Typ1] = dsdt[kHeaderSize + kS5Typ2] = pc.s5_slp_typ;
  const size_t virtio =
      TRY(write_virtio_aml(pc.virtio, out.subspan(kDsdtOffset + kHeaderSize + kS5Size)));
  const auto dsdt_size = static_cast<uint32_t>(kHeaderSize + kS5Size + virtio);
  header(dsdt, "DSDT", dsdt_size, 2);
  finish(dsdt, dsdt_size);

  uint8_t* fadt = base + kFadtOffset;
  header(fadt, "FACP", kFadtSize, 6);
  store_le(fadt + kFadtFirmwareCtrl, gpa + kFacsOffset, 4);
  store_le(fadt + kFadtDsdt, gpa + kDsdtOffset, 4);
  store_le(fadt + kFadtSciInt, pc.sci_irq, 2);
  store_le(fadt + kFadtPm1aEvtBlk, pc.pm1a_evt, 4);
  store_le(fadt + kFadtPm1aCntBlk, pc.pm1a_cnt, 4);
  fadt[kFadtPm1EvtLen] = 4;
  fadt[kFadtPm1CntLen] = 2;
  store_le(fadt + kFadtIapcBootArch, kBootArchVgaNotPresent | kBootArchCmosRtcNotPresent, 2);
  store_le(fadt + kFadtFlags, kFadtWbinvd | kFadtProcC1 | kFadtPwrButton | kFadtSlpButton, 4);
  fadt[kFadtMinorVersion] = 5;
  finish(fadt, kFadtSize);

  build_madt(pc, base + kMadtOffset);

  uint8_t* xsdt = base + kXsdtOffset;
  const size_t xsdt_size = kHeaderSize + size_t{2} * 8;
  header(xsdt, "XSDT", xsdt_size, 1);
  store_le(xsdt + kHeaderSize, gpa + kFadtOffset, 8);
  store_le(xsdt + kHeaderSize + 8, gpa + kMadtOffset, 8);
  finish(xsdt, xsdt_size);
  static_assert(kXsdtOffset + kHeaderSize + 16 <= kFacsOffset);
  static_assert(kFadtOffset + kFadtSize <= kMadtOffset);
  static_assert(kMadtOffset + kHeaderSize + 8 + size_t{kMaxCpus} * 8 + 12 + 20 <= kDsdtOffset);
  static_assert(kDsdtOffset + kHeaderSize + kS5Size + virtio_aml_size(kMaxVirtioTransports) <=
                kTablesSize);

  uint8_t* rsdp = base + kRsdpOffset;
  put(rsdp, "RSD PTR ", 8);
  for (size_t i = 0; i < 6; ++i) rsdp[9 + i] = kOemId[i];
  rsdp[15] = 2;  // revision: ACPI 2.0 and later, XSDT
  store_le(rsdp + 20, kRsdpSize, 4);
  store_le(rsdp + 24, gpa + kXsdtOffset, 8);
  rsdp[8] = checksum(rsdp, 20);
  rsdp[32] = checksum(rsdp, kRsdpSize);
  return ok();
}

}  // namespace tandem::acpi

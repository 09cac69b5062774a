// SPDX-License-Identifier: Apache-2.0
// ACPI tables for Tandem's PC board (ACPI 6.5 chapter 5), as a kernel without a BIOS finds them
// through boot_params.acpi_rsdp_addr: RSDP -> XSDT -> FADT (-> FACS, DSDT) and MADT. They
// describe what the KVM backend's in-kernel irqchip provides (a local APIC per vCPU, the IOAPIC
// with the PC's ISA interrupt overrides, the 8259s) and a PM1a event/control block whose
// SLP_TYP/SLP_EN write is how the guest powers off (S5, the DSDT's \_S5 object; 4.8.3.2 and
// 7.4.2), and the board's virtio-mmio transports (core/acpi/virtio_aml.h). No PM timer, no
// 8042, no VGA, no CMOS RTC (FADT IAPC_BOOT_ARCH). Pure.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "core/acpi/virtio_aml.h"
#include "core/base/result.h"

namespace tandem::acpi {

inline constexpr size_t kTablesSize = 0x1000;
inline constexpr unsigned kMaxCpus = 255;  // xAPIC ids in the MADT's one-byte fields

// PM1 control register bits (ACPI 6.5 table 4.13).
inline constexpr uint16_t PM1_SCI_EN = 1u << 0;
inline constexpr unsigned PM1_SLP_TYP_SHIFT = 10;
inline constexpr uint16_t PM1_SLP_TYP_MASK = 7u << PM1_SLP_TYP_SHIFT;
inline constexpr uint16_t PM1_SLP_EN = 1u << 13;

struct PcPlatform {
  unsigned cpus = 1;  // local APIC ids 0 .. cpus - 1
  uint32_t lapic_base = 0xfee00000;
  uint32_t ioapic_base = 0xfec00000;
  uint16_t pm1a_evt = 0x600;              // 4 bytes: PM1 status, PM1 enable
  uint16_t pm1a_cnt = 0x604;              // 2 bytes
  uint8_t sci_irq = 9;                    // ISA IRQ, level-triggered active high as on a PC
  uint8_t s5_slp_typ = 5;                 // the \_S5 package's SLP_TYPa/b
  std::span<const MmioTransport> virtio;  // the DSDT's LNRO0005 devices
};

// Table offsets in the buffer (RSDP first: its address is the buffer's).
inline constexpr size_t kRsdpOffset = 0x000;
inline constexpr size_t kXsdtOffset = 0x040;
inline constexpr size_t kFacsOffset = 0x080;  // 64-byte aligned (5.2.10)
inline constexpr size_t kFadtOffset = 0x100;
inline constexpr size_t kMadtOffset = 0x240;
inline constexpr size_t kDsdtOffset = 0xaa0;  // after the largest MADT

// Writes every table into `out`, which the guest sees at `gpa` (below 4 GiB: the FADT's DSDT
// and FACS pointers are 32-bit). kInvalidArgument for 0 or more than kMaxCpus CPUs, more than
// kMaxVirtioTransports transports, or a `gpa` the tables do not fit under 4 GiB at.
[[nodiscard]] Result<void> build_pc_tables(const PcPlatform& pc, uint64_t gpa,
                                           std::span<uint8_t, kTablesSize> out);

}  // namespace tandem::acpi

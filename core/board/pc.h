// SPDX-License-Identifier: Apache-2.0
// The x86_64 `pc` board as QEMU's -M pc has the parts test guests use: RAM from 0 up to the
// 32-bit PCI hole at 3 GiB (no high memory), COM1 16550 at port 0x3f8 on ISA IRQ 4 (GSI 4),
// isa-debug-exit at port 0xf4 (QEMU's -device isa-debug-exit,iobase=0xf4,iosize=4), and a
// boot timer at ports 0x440..0x443 (Tandem only: no PC-standard or QEMU pc device there; fw_cfg
// is 0x510, the ELCR 0x4d0, SeaBIOS's debug port 0x402), and the ACPI PM1a event/control
// blocks at ports 0x600..0x605 that the board's ACPI tables name (S5 power-off for Linux guests,
// core/acpi/pc_tables.h). 8 virtio-mmio transports at 0xd000_0000 + 0x1000 n in the MMIO hole
// above RAM (nothing else there: no PCI; the IOAPIC, HPET and LAPIC pages are at 0xfec0_0000
// and up), transport n on IOAPIC pin (GSI) 16 + n, level-triggered, active high: the PCI pins,
// which no ISA device claims; the DSDT describes them (core/acpi/virtio_aml.h). No interrupt
// controller model: x86 guests get KVM's in-kernel LAPIC/IOAPIC (on emu the transports raise
// no interrupt). No firmware interface and no device tree; guests enter in 64-bit mode on
// identity page tables the board writes below 1 MiB.
#pragma once

#include "core/acpi/pc_tables.h"
#include "core/board/board.h"
#include "core/board/virtio_slots.h"
#include "devices/exit/isa_debug_exit.h"
#include "devices/power/acpi_pm.h"
#include "devices/timer/boot_timer.h"
#include "devices/uart/ns16550.h"

namespace tandem {

class PcBoard final : public Board {
 public:
  static constexpr uint16_t kCom1Port = 0x3f8;
  static constexpr uint32_t kCom1Irq = 4;
  static constexpr uint16_t kDebugExitPort = 0xf4;
  static constexpr uint16_t kBootTimerPort = 0x440;
  // The PM1a blocks where the board's ACPI tables say they are: event block, then control.
  static constexpr acpi::PcPlatform kAcpi{};
  static_assert(kAcpi.pm1a_cnt == kAcpi.pm1a_evt + AcpiPm::kControlOffset);
  // Where the long-mode GDT and identity page tables go: below the 1 MiB a PC guest is linked
  // at, in conventional memory nothing else uses before the guest runs.
  static constexpr uint64_t kBootTablesGpa = 0x10000;
  static constexpr VirtioSlotLayout kVirtio = {nullptr, 0xd000'0000, 0x1000, 8, 16};

  explicit PcBoard(const BoardServices& services);
  PcBoard(const PcBoard&) = delete;
  PcBoard& operator=(const PcBoard&) = delete;

  const char* name() const override { return "pc"; }
  Arch arch() const override { return Arch::kX86_64; }
  BoardLayout layout() const override;
  IrqChip* create_irq_chip(unsigned cpus, GuestClock clock, bool hardware_timer) override;
  [[nodiscard]] Result<void> attach(AddressSpace& space, DeviceBus& bus,
                                    IrqController* external) override;
  std::span<const PlacedDevice> devices() const override { return m_devices; }
  HypercallResult firmware_call(unsigned cpu, const uint64_t args[8], PowerControl& power,
                                CpuControl* cpus) override;
  [[nodiscard]] Result<void> plug_virtio(virtio::VirtioDevice& device) override {
    return m_virtio.plug(device);
  }
  void poll_virtio() override { m_virtio.poll_host(); }
  std::span<const PlacedDevice> virtio_transports() const override {
    return {&m_devices[kFirstVirtio], kVirtio.count};
  }
  bool console_can_receive() const override {
    return m_virtio.has_console() ? m_virtio.console_can_receive() : m_com1.can_receive();
  }
  void console_push(uint8_t c) override {
    if (m_virtio.has_console())
      m_virtio.console_push(c);
    else
      m_com1.push_rx(c);
  }
  void console_input_quiet() override {
    if (!m_virtio.has_console()) m_com1.rx_timeout();
  }
  [[nodiscard]] Result<void> prepare_boot(AddressSpace& space, LoadedGuest& guest,
                                          Gpa dtb) override;
  BootState secondary_boot(uint64_t target, uint64_t entry, uint64_t context) const override;

 private:
  enum Slot : unsigned {
    kCom1,
    kDebugExit,
    kAcpiPm,
    kBootTimer,
    kFirstVirtio,
    kSlots = kFirstVirtio + kVirtio.count
  };

  Ns16550 m_com1;
  IsaDebugExit m_debug_exit;
  AcpiPm m_acpi_pm;
  BootTimer m_boot_timer;
  PlacedDevice m_devices[kSlots];
  VirtioSlots m_virtio{kVirtio, &m_devices[kFirstVirtio]};
};

}  // namespace tandem

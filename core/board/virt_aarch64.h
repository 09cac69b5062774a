// SPDX-License-Identifier: Apache-2.0
// QEMU 7.2's aarch64 `virt` board with gic-version=3 (hw/arm/virt.c base_memmap), so every
// test guest also runs on QEMU; as `virt,gic-version=2` the same board with a GICv2, whose CPU
// interface is memory-mapped (emu only: the bare-metal and KVM backends drive a GICv3):
//
//   0x0800_0000  GICv3 distributor, 64 KiB       0x080A_0000  redistributors, 128 KiB per CPU
//   0x0800_0000  GICv2 distributor, 64 KiB       0x0801_0000  GICv2 CPU interface, 64 KiB
//   0x0900_0000  PL011 UART, SPI 1 (INTID 33)    0x090C_0000  boot timer (Tandem only; a hole
//                                                             on QEMU, after VIRT_SECURE_GPIO)
//   0x0000_0000  flash bank 0, 64 MiB (--bios: firmware runs in place, read/execute)
//   0x0400_0000  flash bank 1, 64 MiB (--bios: erased, where U-Boot reads its environment)
//   0x0A00_0000  32 virtio-mmio transports, 0x200 apart, SPI 16 + n
//   0x4000_0000  RAM; Images at RAM + 2 MiB + text_offset, as QEMU places them
//
// Firmware: PSCI 1.0 over HVC. Boot: x0 = DTB (arm64 booting.rst); CPU_ON's context in x0.
#pragma once

#include <optional>

#include "core/board/board.h"
#include "core/board/virtio_slots.h"
#include "devices/flash/erased_flash.h"
#include "devices/irq/gicv2.h"
#include "devices/irq/gicv3.h"
#include "devices/timer/boot_timer.h"
#include "devices/uart/pl011.h"

namespace tandem {

class VirtAarch64Board final : public Board {
 public:
  static constexpr uint64_t kRamBase = 0x4000'0000;
  static constexpr uint64_t kFlashBase = 0;
  static constexpr uint64_t kFlashBankSize = 64ull << 20;  // virt's two 64 MiB CFI banks
  static constexpr uint64_t kGicdBase = 0x0800'0000;
  static constexpr uint64_t kGicrBase = 0x080A'0000;
  static constexpr uint64_t kGiccBase = 0x0801'0000;  // GICv2
  static constexpr uint64_t kGicv2Window = 0x1'0000;  // each GICv2 frame's slot
  static constexpr uint64_t kPl011Base = 0x0900'0000;
  static constexpr uint32_t kPl011Irq = 33;  // SPI 1 (VIRT_UART)
  static constexpr uint64_t kBootTimerBase = 0x090C'0000;
  static constexpr VirtioSlotLayout kVirtio = {"/virtio_mmio", 0x0A00'0000, 0x200, 32, 48};
  static constexpr uint64_t kApbClockHz = 24'000'000;  // virt's "apb-pclk" fixed clock
  // Generic timer PPIs as the DT names them (INTID - 16): secure and non-secure physical,
  // virtual, hypervisor physical (arm,armv8-timer binding order).
  static constexpr uint32_t kTimerPpis[4] = {13, 14, 11, 10};

  enum class GicVersion : unsigned char { k2, k3 };

  explicit VirtAarch64Board(const BoardServices& services, GicVersion gic = GicVersion::k3);
  VirtAarch64Board(const VirtAarch64Board&) = delete;
  VirtAarch64Board& operator=(const VirtAarch64Board&) = delete;

  const char* name() const override {
    return m_gic_version == GicVersion::k2 ? "virt,gic-version=2" : "virt";
  }
  Arch arch() const override { return Arch::kAarch64; }
  BoardLayout layout() const override;
  Gpa kernel_base() const override;
  [[nodiscard]] Result<LoadedGuest> load_firmware(AddressSpace& space, DeviceBus& bus,
                                                  std::span<const uint8_t> image) override;
  IrqChip* create_irq_chip(unsigned cpus, GuestClock clock, bool hardware_timer) override;
  [[nodiscard]] Result<void> attach(AddressSpace& space, DeviceBus& bus,
                                    IrqController* external) override;
  std::span<const PlacedDevice> devices() const override;
  HypercallResult firmware_call(unsigned cpu, const uint64_t args[8], PowerControl& power,
                                CpuControl* cpus) override;
  [[nodiscard]] Result<void> plug_virtio(virtio::VirtioDevice& device) override {
    return m_virtio.plug(device);
  }
  void poll_virtio() override { m_virtio.poll_host(); }
  bool console_can_receive() const override {
    return m_virtio.has_console() ? m_virtio.console_can_receive() : m_pl011.can_receive();
  }
  void console_push(uint8_t c) override {
    if (m_virtio.has_console())
      m_virtio.console_push(c);
    else
      m_pl011.push_rx(c);
  }
  [[nodiscard]] Result<void> prepare_boot(AddressSpace& space, LoadedGuest& guest,
                                          Gpa dtb) override;
  BootState secondary_boot(uint64_t target, uint64_t entry, uint64_t context) const override;
  bool has_device_tree() const override { return true; }
  [[nodiscard]] Result<size_t> write_dtb(std::span<uint8_t> out, const DtbOptions& opts) override;
  [[nodiscard]] Result<Gpa> dtb_address(const LoadedGuest& guest, uint64_t size,
                                        uint64_t ram_size) const override;

 private:
  enum Slot : unsigned {
    kPl011,
    kBootTimer,
    kFirstVirtio,
    kGicd = kFirstVirtio + kVirtio.count,
    kGicr,  // GICv2: the CPU interface
    kSlots
  };

  Pl011 m_pl011;
  BootTimer m_boot_timer;
  ErasedFlash m_flash1;
  bool m_flash_on_demand;  // BoardServices::ram_on_demand
  IrqChip* gic();

  GicVersion m_gic_version;
  std::optional<Gicv3> m_gic;
  std::optional<Gicv2> m_gicv2;
  PlacedDevice m_devices[kSlots];
  VirtioSlots m_virtio{kVirtio, &m_devices[kFirstVirtio]};
  unsigned m_device_count = kGicd;  // the GIC frames join with create_irq_chip
};

}  // namespace tandem

// SPDX-License-Identifier: Apache-2.0
// QEMU 7.2's riscv64 `virt` board (hw/riscv/virt.c virt_memmap) as an S-mode guest sees it,
// so every test guest also runs on QEMU:
//
//   0x0010_0000  sifive_test finisher            0x0010_2000  boot timer (Tandem only; after
//   0x0200_0000  CLINT, 64 KiB                                the RTC, before the CLINT)
//   0x0C00_0000  PLIC, 6 MiB                     0x1000_0000  NS16550A, PLIC source 10
//   0x1000_1000  8 virtio-mmio transports, 0x1000 apart, PLIC source 1 + n
//   0x8000_0000  RAM; images enter at 0x8020_0000 as OpenSBI starts them
//
// Firmware: SBI by ECALL (Tandem is the SBI implementation). Boot: a0 = hart id, a1 = DTB
// (riscv boot.rst); hart_start's opaque value in a1.
#pragma once

#include <optional>

#include "core/board/board.h"
#include "core/board/virtio_slots.h"
#include "core/mm/guest_memory.h"
#include "devices/exit/sifive_test.h"
#include "devices/irq/riscv_irq_chip.h"
#include "devices/timer/boot_timer.h"
#include "devices/uart/ns16550.h"

namespace tandem {

class VirtRiscv64Board final : public Board {
 public:
  static constexpr uint64_t kRamBase = 0x8000'0000;
  static constexpr uint64_t kSifiveTestBase = 0x10'0000;
  static constexpr uint64_t kBootTimerBase = 0x10'2000;
  static constexpr uint64_t kClintBase = 0x200'0000;
  static constexpr uint64_t kClintSize = 0x1'0000;
  static constexpr uint64_t kPlicBase = 0xC00'0000;
  static constexpr uint64_t kPlicSize = 0x60'0000;  // room for virt's 512 harts
  static constexpr uint64_t kUartBase = 0x1000'0000;
  static constexpr uint64_t kUartSize = 0x100;  // virt's window; registers are stride 1
  static constexpr uint32_t kUartIrq = 10;      // PLIC source (UART0_IRQ)
  static constexpr uint32_t kUartClockHz = 3'686'400;
  static constexpr VirtioSlotLayout kVirtio = {"/soc/virtio_mmio", 0x1000'1000, 0x1000, 8, 1};

  explicit VirtRiscv64Board(const BoardServices& services);
  VirtRiscv64Board(const VirtRiscv64Board&) = delete;
  VirtRiscv64Board& operator=(const VirtRiscv64Board&) = delete;

  const char* name() const override { return "virt"; }
  Arch arch() const override { return Arch::kRiscv64; }
  BoardLayout layout() const override;
  Gpa kernel_base() const override { return Gpa(kRamBase + (2ull << 20)); }  // OpenSBI's next stage
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
    return m_virtio.has_console() ? m_virtio.console_can_receive() : m_uart.can_receive();
  }
  void console_push(uint8_t c) override {
    if (m_virtio.has_console())
      m_virtio.console_push(c);
    else
      m_uart.push_rx(c);
  }
  void console_input_quiet() override {
    if (!m_virtio.has_console()) m_uart.rx_timeout();
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
    kUart,
    kSifiveTest,
    kBootTimer,
    kFirstVirtio,
    kClint = kFirstVirtio + kVirtio.count,
    kPlic,
    kSlots
  };

  CharSink& m_console;
  Ns16550 m_uart;
  SifiveTest m_sifive_test;
  BootTimer m_boot_timer;
  bool m_sstc;  // BoardServices::guest_timer_compare: the DT lists Sstc
  std::optional<RiscvIrqChip> m_chip;
  std::optional<GuestMemory> m_memory;  // guest RAM for SBI calls that pass buffers (DBCN)
  PlacedDevice m_devices[kSlots];
  VirtioSlots m_virtio{kVirtio, &m_devices[kFirstVirtio]};
  unsigned m_device_count = kClint;  // the PLIC and CLINT join with create_irq_chip
};

}  // namespace tandem

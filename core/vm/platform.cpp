// SPDX-License-Identifier: Apache-2.0
#include "core/vm/platform.h"

#include "core/acpi/pc_tables.h"
#include "core/bus/device_bus.h"
#include "core/mm/address_space.h"

namespace tandem {
namespace {

constexpr uint64_t kPl011Base = 0x0900'0000;
constexpr uint64_t kPl011Size = 0x1000;
constexpr uint32_t kPl011Irq = 33;  // SPI 1 (QEMU virt VIRT_UART)
constexpr uint64_t kRiscvUartBase = 0x1000'0000;
constexpr uint64_t kRiscvUartSize = 0x100;  // QEMU virt's window; registers are stride 1
constexpr uint32_t kRiscvUartIrq = 10;      // PLIC source (QEMU virt UART0_IRQ)
constexpr uint64_t kSifiveTestBase = 0x10'0000;
constexpr uint64_t kSifiveTestSize = 0x1000;
constexpr uint16_t kCom1Port = 0x3f8;
constexpr uint32_t kCom1Irq = 4;  // ISA IRQ 4 (GSI 4 on the IOAPIC)
constexpr uint16_t kDebugExitPort = 0xf4;
constexpr uint16_t kDebugExitSize = 4;  // as QEMU's -device isa-debug-exit,iosize=4
constexpr uint64_t kAarch64BootTimerBase = 0x090c'0000;
constexpr uint64_t kRiscvBootTimerBase = 0x10'2000;
constexpr uint64_t kBootTimerMmioSize = 0x1000;  // one stage-2 page
constexpr uint16_t kBootTimerPort = 0x440;
constexpr uint16_t kBootTimerPortSize = 4;
// The PM1a blocks where the board's ACPI tables say they are: event block, then control.
constexpr acpi::PcPlatform kPc;
static_assert(kPc.pm1a_cnt == kPc.pm1a_evt + AcpiPm::kControlOffset);

}  // namespace

Platform::Platform(Arch arch, PowerControl& power, CharSink& console, BootTimer::Clock now_ns)
    : m_arch(arch),
      m_pl011(console),
      m_uart_mmio(console, Ns16550Access::kMmio),
      m_uart_port(console, Ns16550Access::kPortIo),
      m_sifive_test(power),
      m_debug_exit(power),
      m_acpi_pm(power, kPc.s5_slp_typ),
      m_boot_timer(now_ns) {}

PlatformLayout Platform::layout(Arch arch) {
  switch (arch) {
    case Arch::kAarch64:
      // 40-bit IPA, 3 levels: what a cortex-a72 (PARange 40 bits) supports.
      return {Gpa(0x4000'0000), 255ull << 30, Stage2Config::aarch64(40, 3, 40)};
    case Arch::kRiscv64:
      return {Gpa(0x8000'0000), 254ull << 30, Stage2Config::of(Stage2Format::kSv39x4)};
    case Arch::kX86_64:
      // RAM from 0 up to the 32-bit PCI hole at 3 GiB, as a PC without high memory.
      return {Gpa(0), 3ull << 30, Stage2Config::of(Stage2Format::kEpt)};
  }
  return {};
}

IrqChip* Platform::create_irq_chip(unsigned cpus, GuestClock clock, bool hardware_timer) {
  switch (m_arch) {
    case Arch::kAarch64:
      return &m_gic.emplace(
          cpus, clock, hardware_timer ? Gicv3::TimerMode::kHardware : Gicv3::TimerMode::kModel);
    case Arch::kRiscv64: return &m_riscv_chip.emplace(cpus, clock);
    case Arch::kX86_64: return nullptr;
  }
  return nullptr;
}

SbiHarts* Platform::sbi_harts() { return m_riscv_chip ? &*m_riscv_chip : nullptr; }

bool Platform::console_can_receive() const {
  switch (m_arch) {
    case Arch::kAarch64: return m_pl011.can_receive();
    case Arch::kRiscv64: return m_uart_mmio.can_receive();
    case Arch::kX86_64: return m_uart_port.can_receive();
  }
  return false;
}

void Platform::console_push(uint8_t c) {
  switch (m_arch) {
    case Arch::kAarch64: m_pl011.push_rx(c); break;
    case Arch::kRiscv64: m_uart_mmio.push_rx(c); break;
    case Arch::kX86_64: m_uart_port.push_rx(c); break;
  }
}

Result<void> Platform::attach(AddressSpace& space, DeviceBus& bus, IrqController* external) {
  if (external != nullptr && m_arch == Arch::kX86_64)
    m_uart_port.connect_irq(IrqLine(external, kCom1Irq));
  switch (m_arch) {
    case Arch::kAarch64:
      if (m_gic && external == nullptr) {
        TRY(m_gic->attach(space, bus));
        m_pl011.connect_irq(m_gic->line(kPl011Irq));
      }
      TRY(space.add_mmio(Gpa(kPl011Base), kPl011Size));
      TRY(bus.add(BusSpace::kMmio, kPl011Base, kPl011Size, m_pl011));
      TRY(space.add_mmio(Gpa(kAarch64BootTimerBase), kBootTimerMmioSize));
      TRY(bus.add(BusSpace::kMmio, kAarch64BootTimerBase, kBootTimerMmioSize, m_boot_timer));
      break;
    case Arch::kRiscv64:
      if (m_riscv_chip && external == nullptr) {
        TRY(m_riscv_chip->attach(space, bus));
        m_uart_mmio.connect_irq(m_riscv_chip->line(kRiscvUartIrq));
      }
      TRY(space.add_mmio(Gpa(kSifiveTestBase), kSifiveTestSize));
      TRY(bus.add(BusSpace::kMmio, kSifiveTestBase, kSifiveTestSize, m_sifive_test));
      // The MMIO hole is a whole page (stage-2 granularity); the device claims its window.
      TRY(space.add_mmio(Gpa(kRiscvUartBase), 0x1000));
      TRY(bus.add(BusSpace::kMmio, kRiscvUartBase, kRiscvUartSize, m_uart_mmio));
      TRY(space.add_mmio(Gpa(kRiscvBootTimerBase), kBootTimerMmioSize));
      TRY(bus.add(BusSpace::kMmio, kRiscvBootTimerBase, kBootTimerMmioSize, m_boot_timer));
      break;
    case Arch::kX86_64:
      TRY(bus.add(BusSpace::kPort, kCom1Port, m_uart_port.size(), m_uart_port));
      TRY(bus.add(BusSpace::kPort, kDebugExitPort, kDebugExitSize, m_debug_exit));
      TRY(bus.add(BusSpace::kPort, kPc.pm1a_evt, AcpiPm::kSize, m_acpi_pm));
      TRY(bus.add(BusSpace::kPort, kBootTimerPort, kBootTimerPortSize, m_boot_timer));
      break;
  }
  return ok();
}

}  // namespace tandem

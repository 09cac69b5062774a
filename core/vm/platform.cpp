// SPDX-License-Identifier: Apache-2.0
#include "core/vm/platform.h"

#include "core/bus/device_bus.h"
#include "core/mm/address_space.h"

namespace tandem {
namespace {

constexpr uint64_t kPl011Base = 0x0900'0000;
constexpr uint64_t kPl011Size = 0x1000;
constexpr uint64_t kRiscvUartBase = 0x1000'0000;
constexpr uint64_t kRiscvUartSize = 0x100;  // QEMU virt's window; registers are stride 1
constexpr uint64_t kSifiveTestBase = 0x10'0000;
constexpr uint64_t kSifiveTestSize = 0x1000;
constexpr uint16_t kCom1Port = 0x3f8;
constexpr uint16_t kDebugExitPort = 0xf4;
constexpr uint16_t kDebugExitSize = 4;  // as QEMU's -device isa-debug-exit,iosize=4
constexpr uint64_t kAarch64BootTimerBase = 0x090c'0000;
constexpr uint64_t kRiscvBootTimerBase = 0x10'2000;
constexpr uint64_t kBootTimerMmioSize = 0x1000;  // one stage-2 page
constexpr uint16_t kBootTimerPort = 0x440;
constexpr uint16_t kBootTimerPortSize = 4;

}  // namespace

Platform::Platform(Arch arch, PowerControl& power, CharSink& console, BootTimer::Clock now_ns)
    : m_arch(arch),
      m_pl011(console),
      m_uart_mmio(console, Ns16550Access::kMmio),
      m_uart_port(console, Ns16550Access::kPortIo),
      m_sifive_test(power),
      m_debug_exit(power),
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

Result<void> Platform::attach(AddressSpace& space, DeviceBus& bus) {
  switch (m_arch) {
    case Arch::kAarch64:
      TRY(space.add_mmio(Gpa(kPl011Base), kPl011Size));
      TRY(bus.add(BusSpace::kMmio, kPl011Base, kPl011Size, m_pl011));
      TRY(space.add_mmio(Gpa(kAarch64BootTimerBase), kBootTimerMmioSize));
      TRY(bus.add(BusSpace::kMmio, kAarch64BootTimerBase, kBootTimerMmioSize, m_boot_timer));
      break;
    case Arch::kRiscv64:
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
      TRY(bus.add(BusSpace::kPort, kBootTimerPort, kBootTimerPortSize, m_boot_timer));
      break;
  }
  return ok();
}

}  // namespace tandem

// SPDX-License-Identifier: Apache-2.0
#include "core/board/virt_riscv64.h"

#include "core/arch/riscv64/sbi.h"
#include "core/board/dtb_common.h"
#include "core/mm/address_space.h"
#include "core/vm/boot.h"

namespace tandem {

VirtRiscv64Board::VirtRiscv64Board(const BoardServices& services)
    : m_console(services.console),
      m_uart(services.console, Ns16550Access::kMmio),
      m_sifive_test(services.power),
      m_boot_timer(services.now_ns),
      m_sstc(services.guest_timer_compare) {
  // The UART's MMIO hole is a whole page (stage-2 granularity); the device claims its window.
  m_devices[kUart] = {"/soc/serial", &m_uart, BusSpace::kMmio, kUartBase,
                      kUartSize,     0x1000,  kUartIrq};
  m_devices[kSifiveTest] = {"/soc/test",     &m_sifive_test,    BusSpace::kMmio,
                            kSifiveTestBase, SifiveTest::kSize, SifiveTest::kSize};
  m_devices[kBootTimer] = {nullptr, &m_boot_timer, BusSpace::kMmio, kBootTimerBase, 0x1000, 0x1000};
}

BoardLayout VirtRiscv64Board::layout() const {
  return {Gpa(kRamBase), 254ull << 30, Stage2Config::of(Stage2Format::kSv39x4)};
}

IrqChip* VirtRiscv64Board::create_irq_chip(unsigned cpus, GuestClock clock, bool hardware_timer) {
  (void)hardware_timer;  // the guest's timer is SBI's (or the CLINT's): always the model's
  RiscvIrqChip& chip = m_chip.emplace(cpus, clock);
  m_devices[kClint] = {"/soc/clint", &chip.clint_frame(), BusSpace::kMmio,
                       kClintBase,   kClintSize,          kClintSize};
  m_devices[kPlic] = {"/soc/plic", &chip.plic_frame(), BusSpace::kMmio,
                      kPlicBase,   kPlicSize,          kPlicSize};
  m_device_count = kSlots;
  return &chip;
}

std::span<const PlacedDevice> VirtRiscv64Board::devices() const {
  return {m_devices, m_device_count};
}

Result<void> VirtRiscv64Board::attach(AddressSpace& space, DeviceBus& bus,
                                      IrqController* external) {
  m_memory.emplace(space);
  const unsigned count = external != nullptr ? kClint : m_device_count;
  for (unsigned i = 0; i < count; i++) TRY(place(space, bus, m_devices[i]));
  IrqController* irqs = external;
  if (irqs == nullptr && m_chip) irqs = &*m_chip;
  m_uart.connect_irq(IrqLine(irqs, kUartIrq));
  m_virtio.connect(space, irqs);
  return ok();
}

HypercallResult VirtRiscv64Board::firmware_call(unsigned cpu, const uint64_t args[8],
                                                PowerControl& power, CpuControl* cpus) {
  SbiContext sbi{
      power, &m_console, cpus, m_chip ? &*m_chip : nullptr, cpu, m_memory ? &*m_memory : nullptr};
  const SbiResult s = sbi_call(args, sbi);
  HypercallResult r;
  r.ret[0] = static_cast<uint64_t>(s.error);
  r.ret[1] = s.value;
  r.count = 2;
  return r;
}

Result<void> VirtRiscv64Board::prepare_boot(AddressSpace& space, LoadedGuest& guest, Gpa dtb) {
  (void)space;
  guest.boot.args[0] = 0;  // boot hart id
  guest.boot.args[1] = dtb.raw();
  return ok();
}

BootState VirtRiscv64Board::secondary_boot(uint64_t target, uint64_t entry,
                                           uint64_t context) const {
  BootState boot;
  boot.pc = entry;
  boot.args[0] = target;
  boot.args[1] = context;
  return boot;
}

Result<Gpa> VirtRiscv64Board::dtb_address(const LoadedGuest& guest, uint64_t size,
                                          uint64_t ram_size) const {
  return dtb_at_top(guest, size, kRamBase, kRamBase + ram_size);
}

}  // namespace tandem

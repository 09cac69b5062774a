// SPDX-License-Identifier: Apache-2.0
// The guest platform (DESIGN.md "Guest platform"): where RAM starts and which devices sit where,
// per architecture, following QEMU's boards so every test guest also runs on QEMU:
//
//   aarch64 (virt)   RAM 0x4000_0000   PL011 0x0900_0000                    PSCI by HVC
//   riscv64 (virt)   RAM 0x8000_0000   NS16550 0x1000_0000, sifive_test 0x10_0000, SBI by ECALL
//   x86_64  (pc)     RAM 0             COM1 port 0x3f8, isa-debug-exit port 0xf4, ACPI PM1a
//                                      blocks ports 0x600..0x605 (S5 power-off)
//
// plus a boot timer (devices/timer/boot_timer.h) in a hole of each board's map, where QEMU has
// nothing: aarch64 0x090c_0000 (after VIRT_SECURE_GPIO, before the virtio-mmio transports at
// 0x0a00_0000), riscv64 0x10_2000 (after the RTC at 0x10_1000, before the CLINT at 0x200_0000),
// x86_64 ports 0x440..0x443 (no PC-standard or QEMU pc device: fw_cfg is 0x510, the ELCR 0x4d0,
// SeaBIOS's debug port 0x402).
#pragma once

#include <cstdint>
#include <optional>

#include "core/base/addr.h"
#include "core/base/arch.h"
#include "core/base/result.h"
#include "core/irq/irq_chip.h"
#include "core/mm/stage2_layout.h"
#include "devices/exit/isa_debug_exit.h"
#include "devices/exit/sifive_test.h"
#include "devices/irq/gicv3.h"
#include "devices/irq/riscv_irq_chip.h"
#include "devices/power/acpi_pm.h"
#include "devices/timer/boot_timer.h"
#include "devices/uart/ns16550.h"
#include "devices/uart/pl011.h"

namespace tandem {

class AddressSpace;
class DeviceBus;
class CharSink;
class PowerControl;
class SbiHarts;

struct PlatformLayout {
  Gpa ram_base;
  uint64_t max_ram;  // RAM must end below the first device above it (or the stage-2 limit)
  Stage2Config stage2;
};

class Platform {
 public:
  // now_ns: the host's monotonic clock, for the boot timer (time since construction).
  Platform(Arch arch, PowerControl& power, CharSink& console, BootTimer::Clock now_ns);
  Platform(const Platform&) = delete;
  Platform& operator=(const Platform&) = delete;

  static PlatformLayout layout(Arch arch);

  // The board's interrupt controller model for `cpus` vCPUs: aarch64 GICv3 with the virtual
  // timers (modelled, or the CPU's own with `hardware_timer`), riscv64 PLIC + CLINT + SBI
  // timer; null on x86_64 (only KVM's in-kernel irqchip).
  IrqChip* create_irq_chip(unsigned cpus, GuestClock clock, bool hardware_timer);

  // Registers this architecture's devices (and the chip made by create_irq_chip) on the bus
  // and their MMIO windows in the address space (so guest accesses there fault to the device
  // instead of reaching RAM). Device interrupts go to `external` when the backend has its own
  // irqchip (KVM), else to the chip.
  [[nodiscard]] Result<void> attach(AddressSpace& space, DeviceBus& bus, IrqController* external);

  // SBI TIME/IPI targets (riscv64 only, else null).
  SbiHarts* sbi_harts();

  // Moves console input into the console UART while it has room; what does not fit stays
  // queued.
  template <class Queue>
  void feed_console(Queue& input) {
    uint8_t c = 0;
    while (console_can_receive() && input.peek(c)) {
      console_push(c);
      input.pop(c);
    }
  }

  Arch arch() const { return m_arch; }

 private:
  bool console_can_receive() const;
  void console_push(uint8_t c);

  Arch m_arch;
  Pl011 m_pl011;
  Ns16550 m_uart_mmio;
  Ns16550 m_uart_port;
  SifiveTest m_sifive_test;
  IsaDebugExit m_debug_exit;
  AcpiPm m_acpi_pm;
  BootTimer m_boot_timer;
  std::optional<Gicv3> m_gic;
  std::optional<RiscvIrqChip> m_riscv_chip;
};

}  // namespace tandem

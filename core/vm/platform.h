// SPDX-License-Identifier: Apache-2.0
// The guest platform (DESIGN.md "Guest platform"): where RAM starts and which devices sit where,
// per architecture, following QEMU's boards so every test guest also runs on QEMU:
//
//   aarch64 (virt)   RAM 0x4000_0000   PL011 0x0900_0000                    PSCI by HVC
//   riscv64 (virt)   RAM 0x8000_0000   NS16550 0x1000_0000, sifive_test 0x10_0000, SBI by ECALL
//   x86_64  (pc)     RAM 0             COM1 port 0x3f8, isa-debug-exit port 0xf4
//
// plus a boot timer (devices/timer/boot_timer.h) in a hole of each board's map, where QEMU has
// nothing: aarch64 0x090c_0000 (after VIRT_SECURE_GPIO, before the virtio-mmio transports at
// 0x0a00_0000), riscv64 0x10_2000 (after the RTC at 0x10_1000, before the CLINT at 0x200_0000),
// x86_64 ports 0x440..0x443 (no PC-standard or QEMU pc device: fw_cfg is 0x510, the ELCR 0x4d0,
// SeaBIOS's debug port 0x402).
#pragma once

#include <cstdint>

#include "core/base/addr.h"
#include "core/base/arch.h"
#include "core/base/result.h"
#include "core/mm/stage2_layout.h"
#include "devices/exit/isa_debug_exit.h"
#include "devices/exit/sifive_test.h"
#include "devices/timer/boot_timer.h"
#include "devices/uart/ns16550.h"
#include "devices/uart/pl011.h"

namespace tandem {

class AddressSpace;
class DeviceBus;
class CharSink;
class PowerControl;

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

  // Registers this architecture's devices on the bus and their MMIO windows in the address
  // space (so guest accesses there fault to the device instead of reaching RAM).
  [[nodiscard]] Result<void> attach(AddressSpace& space, DeviceBus& bus);

  Arch arch() const { return m_arch; }

 private:
  Arch m_arch;
  Pl011 m_pl011;
  Ns16550 m_uart_mmio;
  Ns16550 m_uart_port;
  SifiveTest m_sifive_test;
  IsaDebugExit m_debug_exit;
  BootTimer m_boot_timer;
};

}  // namespace tandem

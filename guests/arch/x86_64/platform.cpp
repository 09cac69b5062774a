// SPDX-License-Identifier: Apache-2.0
// COM1 console and exit for the x86_64 guests.
#include "platform.h"

#include "guest.h"
#include "io.h"

namespace {

// 16550 data sheet: THR at offset 0, LSR at 5; LSR.THRE = transmit holding register empty.
constexpr std::uint16_t kUartThr = guest::kCom1 + 0;
constexpr std::uint16_t kUartLsr = guest::kCom1 + 5;
constexpr std::uint8_t kLsrThre = 1u << 5;

}  // namespace

void guest::put_byte(char c) {
  while ((io::in8(kUartLsr) & kLsrThre) == 0) {
  }
  io::out8(kUartThr, static_cast<std::uint8_t>(c));
}

// QEMU's isa-debug-exit (hw/misc/debugexit.c) exits with (value << 1) | 1, so every status,
// 0 included, ends the VM; tests/integration/qemu/run_qemu.sh maps it back.
extern "C" void guest_exit(int status) {
  guest::io::out32(guest::kDebugExitPort, static_cast<std::uint32_t>(status));
  for (;;) asm volatile("cli; hlt");
}

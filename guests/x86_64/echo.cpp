// SPDX-License-Identifier: Apache-2.0
// Console input by interrupt: COM1's "received data available" interrupt (IER bit 0) on IRQ 4,
// routed through the IOAPIC to vector 0x24 on the boot CPU (the 8259s masked). The interrupt
// handler drains the receiver into a ring; the main loop sleeps in HLT while the ring is empty
// and echoes what arrives, until a 'q' (not echoed), then says bye and exits 0.
#include <cstdint>

#include "apic.h"
#include "guest.h"
#include "idt.h"
#include "io.h"
#include "platform.h"

namespace {

namespace apic = guest::apic;
namespace io = guest::io;

// 16550 registers (offsets from COM1) and bits (PC16550D datasheet).
constexpr std::uint16_t kRbr = guest::kCom1 + 0;
constexpr std::uint16_t kIer = guest::kCom1 + 1;
constexpr std::uint16_t kMcr = guest::kCom1 + 4;
constexpr std::uint16_t kLsr = guest::kCom1 + 5;
constexpr std::uint8_t kIerRxAvailable = 1u << 0;
constexpr std::uint8_t kMcrDtrRtsOut2 = 0x0b;  // OUT2 gates the IRQ on a PC
constexpr std::uint8_t kLsrDataReady = 1u << 0;

constexpr unsigned kCom1Irq = 4;
constexpr unsigned kUartVector = 0x24;

std::uint8_t ring[256];
volatile std::uint8_t head;  // written by the interrupt handler
volatile std::uint8_t tail;  // written by the main loop
volatile unsigned dropped;

void on_uart(unsigned, const guest::InterruptFrame&) {
  while ((io::in8(kLsr) & kLsrDataReady) != 0) {
    const std::uint8_t c = io::in8(kRbr);
    if (static_cast<std::uint8_t>(head + 1) == tail) {
      dropped = dropped + 1;
      continue;
    }
    ring[head] = c;
    head = static_cast<std::uint8_t>(head + 1);
  }
  apic::eoi();
}

}  // namespace

extern "C" int guest_main() {
  apic::pic_disable();
  guest::set_irq_handler(kUartVector, on_uart);
  apic::lapic_enable();
  apic::ioapic_route(kCom1Irq, kUartVector, apic::lapic_id());
  guest::put_str("echo: ready\n");
  io::out8(kMcr, kMcrDtrRtsOut2);
  io::out8(kIer, kIerRxAvailable);
  for (;;) {
    // Interrupts are off here: the ring is checked and the wait entered without a gap.
    if (head == tail) {
      apic::wait_for_interrupt();
      continue;
    }
    const char c = static_cast<char>(ring[tail]);
    tail = static_cast<std::uint8_t>(tail + 1);
    if (c == 'q') break;
    guest::put_byte(c);
  }
  io::out8(kIer, 0);
  guest::put_str("echo: bye\n");
  return dropped == 0 ? 0 : 1;
}

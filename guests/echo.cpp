// SPDX-License-Identifier: Apache-2.0
// UART receive interrupts (aarch64, riscv64): prints "echo: ready", enables the UART's receive
// interrupt (PL011 IMSC.RXIM on GIC SPI 33; 16550 IER.ERBFI on PLIC source 10) and sits in WFI.
// Each interrupt drains the receive FIFO and echoes every byte verbatim until a 'q', which is
// not echoed; then it prints "echo: bye" and exits 0. Bytes that arrive before the interrupt
// is enabled wait in the UART (and QEMU's character backend) and are echoed when it is.
#include <cstdint>

#include "atomic.h"
#include "board.h"
#include "guest.h"

namespace {

std::uint32_t g_done = 0;

void on_irq(std::uint32_t irq) {
  if (irq != guest::kUartIrq) guest_exit(guest::kTrapStatus);
  for (int c = guest::uart_getc(); c >= 0; c = guest::uart_getc()) {
    if (guest::atomic_load(&g_done) != 0) continue;  // drop what follows the 'q'
    if (c == 'q') {
      guest::atomic_store(&g_done, 1u);
    } else {
      guest::put_byte(static_cast<char>(c));
    }
  }
}

}  // namespace

extern "C" int guest_main() {
  guest::irq_controller_init();
  guest::irq_cpu_init(0);
  guest::irq_set_handler(on_irq);
  guest::irq_local_disable();
  guest::put_str("echo: ready\n");
  guest::uart_rx_irq_enable();
  guest::irq_enable(guest::kUartIrq, 0);
  while (guest::atomic_load(&g_done) == 0) {
    guest::wait_for_interrupt();
    guest::irq_local_enable();
    guest::irq_local_disable();
  }
  guest::put_str("echo: bye\n");
  return 0;
}

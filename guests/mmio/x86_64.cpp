// SPDX-License-Identifier: Apache-2.0
// Port I/O of every width against COM1, printing what each returned. The guest programs the
// registers it reads first, because SeaBIOS has set COM1 up under QEMU and Tandem hands it over
// at reset values. A 16550 decodes single bytes; a wider IN or OUT reaches consecutive
// registers, one byte each, lowest port first, as the ISA bus splits it (QEMU: serial_io_ops
// implement 1-byte accesses only). Register writes at LSR and MSR are ignored.
#include "guest.h"
#include "io.h"
#include "platform.h"

namespace {

using guest::put_hex_line;
namespace io = guest::io;

// 16550 registers with LCR.DLAB = 0.
constexpr std::uint16_t kRbrThr = guest::kCom1 + 0;
constexpr std::uint16_t kIer = guest::kCom1 + 1;
constexpr std::uint16_t kIirFcr = guest::kCom1 + 2;
constexpr std::uint16_t kLcr = guest::kCom1 + 3;
constexpr std::uint16_t kMcr = guest::kCom1 + 4;
constexpr std::uint16_t kLsr = guest::kCom1 + 5;
constexpr std::uint16_t kMsr = guest::kCom1 + 6;
constexpr std::uint16_t kScr = guest::kCom1 + 7;
constexpr std::uint8_t kLsrThre = 1u << 5;
constexpr std::uint8_t kLsrTemt = 1u << 6;

// Waits until everything printed so far has left, so that LSR reads the same on every run.
void wait_idle() {
  while ((io::in8(kLsr) & kLsrTemt) == 0) {
  }
}

void wait_thre() {
  while ((io::in8(kLsr) & kLsrThre) == 0) {
  }
}

}  // namespace

extern "C" int guest_main() {
  io::out8(kIer, 0);        // no interrupts: IIR reads "none pending"
  io::out8(kLcr, 0x03);     // 8N1, DLAB = 0
  io::out8(kIirFcr, 0x07);  // FIFOs on and cleared: IIR bits 7:6 set
  io::out8(kMcr, 0x03);     // DTR | RTS, no loopback

  put_hex_line("mmio: 16550 at port ", guest::kCom1);
  wait_idle();
  put_hex_line("inb LSR: ", io::in8(kLsr));
  put_hex_line("inb IIR: ", io::in8(kIirFcr));
  put_hex_line("inb LCR: ", io::in8(kLcr));
  io::out8(kScr, 0xa5);
  put_hex_line("inb SCR: ", io::in8(kScr));
  put_hex_line("inw MSR: ", io::in16(kMsr));
  wait_idle();
  put_hex_line("inl MCR: ", io::in32(kMcr));
  io::out16(kMsr, 0x5a00);
  put_hex_line("outw MSR, inb SCR: ", io::in8(kScr));
  io::out32(kMcr, 0xc3000003);
  put_hex_line("outl MCR, inb SCR: ", io::in8(kScr));

  // One character per OUT width; the wider ones rewrite IER, FCR and LCR with their values.
  guest::put_str("stores: ");
  wait_thre();
  io::out8(kRbrThr, 'b');
  wait_thre();
  io::out16(kRbrThr, 'w');
  wait_thre();
  io::out32(kRbrThr, 0x03070000 | 'l');
  guest::put_byte('\n');
  return 0;
}

// SPDX-License-Identifier: Apache-2.0
#include "backends/baremetal/common/console.h"

#include <cstdarg>

#include "core/base/format.h"

namespace tandem::baremetal {
namespace {

// PL011 TRM (Arm DDI 0183G) 3.2 "Summary of registers": UARTDR at 0x000, UARTFR at 0x018 with
// TXFF (transmit FIFO full) in bit 5.
constexpr uint64_t kPl011Dr = 0x000;
constexpr uint64_t kPl011Fr = 0x018;
constexpr uint32_t kPl011FrTxff = 1u << 5;
// 16550 (TI PC16550D data sheet, "Register summary"): THR at 0, LSR at 5 with THRE in bit 5.
constexpr uint64_t kUart16550Thr = 0;
constexpr uint64_t kUart16550Lsr = 5;
constexpr uint32_t kUart16550LsrThre = 1u << 5;

UartInfo g_uart;
bool g_at_line_start = true;
SpinLock g_lock;

uint32_t read32(uint64_t addr) { return *reinterpret_cast<volatile uint32_t*>(addr); }
void write32(uint64_t addr, uint32_t v) { *reinterpret_cast<volatile uint32_t*>(addr) = v; }
uint8_t read8(uint64_t addr) { return *reinterpret_cast<volatile uint8_t*>(addr); }
void write8(uint64_t addr, uint8_t v) { *reinterpret_cast<volatile uint8_t*>(addr) = v; }

void put_raw(char c) {
  const uint64_t base = g_uart.base;
  if (base == 0) return;
  const auto byte = static_cast<uint8_t>(c);
  if (g_uart.kind == UartKind::kPl011) {
    while ((read32(base + kPl011Fr) & kPl011FrTxff) != 0) {
    }
    write32(base + kPl011Dr, byte);
    return;
  }
  // Byte-wide registers unless the DTB spreads them out (reg-shift), as DesignWare UARTs do.
  const uint64_t lsr = base + (kUart16550Lsr << g_uart.reg_shift);
  const uint64_t thr = base + (kUart16550Thr << g_uart.reg_shift);
  if (g_uart.reg_shift == 0) {
    while ((read8(lsr) & kUart16550LsrThre) == 0) {
    }
    write8(thr, byte);
  } else {
    while ((read32(lsr) & kUart16550LsrThre) == 0) {
    }
    write32(thr, byte);
  }
}

}  // namespace

void console_init(const UartInfo& uart) { g_uart = uart; }

void console_putc(char c) {
  put_raw(c);
  g_at_line_start = c == '\n';
}

void console_write(const char* s, size_t len) {
  for (size_t i = 0; i < len; i++) console_putc(s[i]);
}

void console_puts(const char* s) {
  while (*s != 0) console_putc(*s++);
}

void console_printf(const char* fmt, ...) {
  char line[256];
  va_list args;
  va_start(args, fmt);
  const size_t n = vformat_to(line, sizeof line, fmt, args);
  va_end(args);
  console_write(line, n < sizeof line ? n : sizeof line - 1);
}

bool console_at_line_start() { return g_at_line_start; }

SpinLock& console_lock() { return g_lock; }

// PL011: UARTFR.RXFE (bit 4) set while the receive FIFO is empty, the byte in UARTDR[7:0].
// 16550: LSR.DR (bit 0) set while a byte waits in RBR (offset 0, THR's).
int console_getc() {
  const uint64_t base = g_uart.base;
  if (base == 0) return -1;
  if (g_uart.kind == UartKind::kPl011) {
    if ((read32(base + kPl011Fr) & (1u << 4)) != 0) return -1;
    return static_cast<int>(read32(base + kPl011Dr) & 0xff);
  }
  const uint64_t lsr = base + (kUart16550Lsr << g_uart.reg_shift);
  const uint64_t rbr = base + (kUart16550Thr << g_uart.reg_shift);
  if (g_uart.reg_shift == 0) {
    if ((read8(lsr) & 1u) == 0) return -1;
    return read8(rbr);
  }
  if ((read32(lsr) & 1u) == 0) return -1;
  return static_cast<int>(read32(rbr) & 0xff);
}

}  // namespace tandem::baremetal

// SPDX-License-Identifier: Apache-2.0
// The image's console: polled output on the board's real UART (PL011 on aarch64 virt, 16550 on
// riscv64 virt). Both the hypervisor's messages and the guest's emulated UART end up here.
#pragma once

#include <cstddef>
#include <cstdint>

#include "core/base/spin_lock.h"
#include "devices/char_sink.h"

namespace tandem::baremetal {

enum class UartKind : uint8_t { kPl011, kNs16550 };

struct UartInfo {
  UartKind kind = UartKind::kPl011;
  uint64_t base = 0;
  uint32_t reg_shift = 0;  // 16550: registers are 1 << reg_shift bytes apart
};

void console_init(const UartInfo& uart);
void console_putc(char c);
void console_write(const char* s, size_t len);
void console_puts(const char* s);
void console_printf(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
// Whether the last byte written ended a line (or nothing was written yet), so messages can
// start on a line of their own after partial guest output.
bool console_at_line_start();
// Held while writing a whole line, so the lines of several physical CPUs (log lines, several
// VMs' consoles) never interleave.
SpinLock& console_lock();
// A received byte, or -1 when the UART's receive FIFO is empty (polled, never blocks).
int console_getc();

// The guest's UART output, forwarded byte for byte.
class ConsoleSink final : public CharSink {
 public:
  void put(uint8_t c) override { console_putc(static_cast<char>(c)); }
};

}  // namespace tandem::baremetal

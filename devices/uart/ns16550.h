// SPDX-License-Identifier: Apache-2.0
// NS16550A UART (TI PC16550D datasheet, SNLS378C). Reset values, interrupt priorities and
// access widths follow QEMU 7.2's hw/char/serial.c, the reference for differential tests:
//
//   reg  DLAB=0 read / write   DLAB=1        reg  register
//   0    RBR / THR             DLL           4    MCR
//   1    IER                   DLM           5    LSR (read-only)
//   2    IIR / FCR                           6    MSR (read-only)
//   3    LCR                                 7    SCR
//
// One model serves both buses: port I/O (PC COM1 at 0x3f8: registers one port apart, and a
// wide access touches consecutive registers byte by byte) and MMIO (riscv virt at 0x10000000:
// registers 1 << reg_shift bytes apart, and an access of any width touches one register).
// Transmission is instant; received bytes come from the host through push_rx().
#pragma once

#include <array>
#include <cstdint>

#include "core/bus/device.h"
#include "core/irq/irq_line.h"
#include "devices/char_sink.h"

namespace tandem {

enum class Ns16550Access : unsigned char { kPortIo, kMmio };

class Ns16550 final : public Device {
 public:
  static constexpr unsigned kFifoSize = 16;

  // Register numbers (datasheet, "Register Addresses").
  static constexpr unsigned RBR = 0, THR = 0, DLL = 0, IER = 1, DLM = 1, IIR = 2, FCR = 2;
  static constexpr unsigned LCR = 3, MCR = 4, LSR = 5, MSR = 6, SCR = 7;

  static constexpr uint8_t IER_RDI = 0x01;   // received data available
  static constexpr uint8_t IER_THRI = 0x02;  // transmitter holding register empty
  static constexpr uint8_t IER_RLSI = 0x04;  // receiver line status
  static constexpr uint8_t IER_MSI = 0x08;   // modem status
  static constexpr uint8_t IIR_NO_INT = 0x01;
  static constexpr uint8_t IIR_MSI = 0x00;
  static constexpr uint8_t IIR_THRI = 0x02;
  static constexpr uint8_t IIR_RDI = 0x04;
  static constexpr uint8_t IIR_RLSI = 0x06;
  static constexpr uint8_t IIR_CTI = 0x0C;  // character timeout (FIFO mode)
  static constexpr uint8_t IIR_ID_MASK = 0x0E;
  static constexpr uint8_t IIR_FIFO_ENABLED = 0xC0;
  static constexpr uint8_t FCR_FE = 0x01;   // FIFO enable
  static constexpr uint8_t FCR_RFR = 0x02;  // receiver FIFO reset
  static constexpr uint8_t FCR_XFR = 0x04;  // transmitter FIFO reset
  static constexpr uint8_t LCR_DLAB = 0x80;
  static constexpr uint8_t MCR_LOOP = 0x10;
  static constexpr uint8_t LSR_DR = 0x01;
  static constexpr uint8_t LSR_OE = 0x02;
  static constexpr uint8_t LSR_BI = 0x10;
  static constexpr uint8_t LSR_THRE = 0x20;
  static constexpr uint8_t LSR_TEMT = 0x40;
  static constexpr uint8_t MSR_CTS = 0x10;
  static constexpr uint8_t MSR_DSR = 0x20;
  static constexpr uint8_t MSR_DCD = 0x80;

  // reg_shift applies to kMmio only (port registers are always one apart).
  Ns16550(CharSink& sink, Ns16550Access access, unsigned reg_shift = 0, IrqLine irq = {});
  Ns16550(const Ns16550&) = delete;
  Ns16550& operator=(const Ns16550&) = delete;

  // The size of the range to register on the bus: eight registers.
  uint64_t size() const { return uint64_t{8} << m_shift; }

  const char* name() const override { return "ns16550"; }
  uint64_t read(uint64_t offset, unsigned size) override;
  void write(uint64_t offset, unsigned size, uint64_t value) override;
  bool register_name(uint64_t offset, bool write, RegisterName& out) const override;

  // Host-side input, with the same flow control as QEMU's character front end: push only while
  // can_receive(). A byte pushed anyway overruns (LSR.OE), as on the chip.
  bool can_receive() const;
  void push_rx(uint8_t c);
  // The receive line has been quiet for four character times (the host has no more input for
  // now): in FIFO mode, bytes waiting below the trigger level raise the character timeout
  // interrupt (datasheet, "FIFO Interrupt Mode Operation"), cleared by reading RBR or by the
  // next received byte. Transmission here takes no time, so neither does the timeout.
  void rx_timeout();

  // Wires the interrupt output once the board's interrupt controller is known.
  void connect_irq(IrqLine irq) {
    m_irq = irq;
    update_irq();
  }

  void reset();

 private:
  // Accesses of any width but 1 (read()/write()).
  [[gnu::noinline]] uint64_t read_wide(uint64_t offset, unsigned size);
  [[gnu::noinline]] void write_wide(uint64_t offset, unsigned size, uint64_t value);
  uint8_t read_reg(unsigned reg);
  void write_reg(unsigned reg, uint8_t value);
  void write_fcr(uint8_t value);
  void transmit(uint8_t c);
  void update_irq();

  CharSink& m_sink;
  Ns16550Access m_access;
  unsigned m_shift;
  IrqLine m_irq;
  std::array<uint8_t, kFifoSize> m_rx_fifo{};
  unsigned m_rx_head = 0;
  unsigned m_rx_count = 0;
  unsigned m_rx_trigger = 1;  // FCR[7:6]: 1, 4, 8 or 14 bytes
  uint16_t m_divider = 0;
  uint8_t m_rbr = 0;
  uint8_t m_ier = 0;
  uint8_t m_iir = 0;
  uint8_t m_fcr = 0;
  uint8_t m_lcr = 0;
  uint8_t m_mcr = 0;
  uint8_t m_lsr = 0;
  uint8_t m_msr = 0;
  uint8_t m_scr = 0;
  bool m_thr_ipending = false;
  bool m_timeout_pending = false;
};

}  // namespace tandem

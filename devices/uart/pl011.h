// SPDX-License-Identifier: Apache-2.0
// Arm PrimeCell UART (PL011), ARM DDI 0183G. Registers, reset values and access widths follow
// QEMU 7.2's hw/char/pl011.c, the reference for differential tests:
//
//   0x000 DR      0x018 FR       0x024 IBRD   0x02C LCR_H  0x034 IFLS  0x03C RIS  0x044 ICR
//   0x004 RSR/ECR 0x020 ILPR     0x028 FBRD   0x030 CR     0x038 IMSC  0x040 MIS  0x048 DMACR
//   0xFE0..0xFFC  PeriphID0-3, PCellID0-3
//
// Transmission is instant (FR.TXFE stays set, FR.BUSY clear). Received bytes come from the
// host through push_rx(); the combined interrupt UARTINTR is raised while RIS & IMSC != 0.
#pragma once

#include <array>
#include <cstdint>

#include "core/bus/device.h"
#include "core/irq/irq_line.h"
#include "devices/char_sink.h"

namespace tandem {

class Pl011 final : public Device {
 public:
  static constexpr uint64_t kSize = 0x1000;
  // QEMU keeps a 16-entry receive FIFO (and a 1-entry holding register with LCR_H.FEN clear).
  static constexpr unsigned kFifoDepth = 16;

  // Register offsets (DDI 0183G 3.2, table 3-1).
  static constexpr uint64_t UARTDR = 0x000;
  static constexpr uint64_t UARTRSR = 0x004;  // UARTECR on write
  static constexpr uint64_t UARTFR = 0x018;
  static constexpr uint64_t UARTILPR = 0x020;
  static constexpr uint64_t UARTIBRD = 0x024;
  static constexpr uint64_t UARTFBRD = 0x028;
  static constexpr uint64_t UARTLCR_H = 0x02C;
  static constexpr uint64_t UARTCR = 0x030;
  static constexpr uint64_t UARTIFLS = 0x034;
  static constexpr uint64_t UARTIMSC = 0x038;
  static constexpr uint64_t UARTRIS = 0x03C;
  static constexpr uint64_t UARTMIS = 0x040;
  static constexpr uint64_t UARTICR = 0x044;
  static constexpr uint64_t UARTDMACR = 0x048;
  static constexpr uint64_t UARTPeriphID0 = 0xFE0;

  // UARTFR bits (3.3.3).
  static constexpr uint32_t FR_RXFE = 1u << 4;
  static constexpr uint32_t FR_TXFF = 1u << 5;
  static constexpr uint32_t FR_RXFF = 1u << 6;
  static constexpr uint32_t FR_TXFE = 1u << 7;
  // Interrupt bits shared by RIS/MIS/IMSC/ICR (3.3.10-3.3.14).
  static constexpr uint32_t INT_RX = 1u << 4;
  static constexpr uint32_t INT_TX = 1u << 5;
  static constexpr uint32_t LCR_H_FEN = 1u << 4;

  // PeriphID0-3 and PCellID0-3 as QEMU's "pl011" returns them (part 0x011, designer 0x41 'A',
  // revision 1; PrimeCell ID 0xB105F00D).
  static constexpr std::array<uint8_t, 8> kId = {0x11, 0x10, 0x14, 0x00, 0x0D, 0xF0, 0x05, 0xB1};

  explicit Pl011(CharSink& sink, IrqLine irq = {});
  Pl011(const Pl011&) = delete;
  Pl011& operator=(const Pl011&) = delete;

  const char* name() const override { return "pl011"; }
  uint64_t read(uint64_t offset, unsigned size) override;
  void write(uint64_t offset, unsigned size, uint64_t value) override;
  bool register_name(uint64_t offset, bool write, RegisterName& out) const override;

  // Host-side input. The caller checks can_receive() first (flow control, as QEMU's character
  // front end does); a byte pushed into a full FIFO is dropped.
  bool can_receive() const;
  void push_rx(uint8_t c);

  // Wires the interrupt output once the board's interrupt controller is known.
  void connect_irq(IrqLine irq) {
    m_irq = irq;
    update_irq();
  }

  void reset();

 private:
  uint32_t read_reg(uint64_t offset);
  void write_reg(uint64_t offset, uint32_t value);
  unsigned fifo_depth() const;
  void reset_fifos();
  void update_irq();

  CharSink& m_sink;
  IrqLine m_irq;
  std::array<uint16_t, kFifoDepth> m_rx_fifo{};  // data in [7:0], error bits in [11:8]
  unsigned m_rx_pos = 0;
  unsigned m_rx_count = 0;
  uint32_t m_flags = 0;
  uint32_t m_rsr = 0;
  uint32_t m_ilpr = 0;
  uint32_t m_ibrd = 0;
  uint32_t m_fbrd = 0;
  uint32_t m_lcr_h = 0;
  uint32_t m_cr = 0;
  uint32_t m_ifls = 0;
  uint32_t m_imsc = 0;
  uint32_t m_ris = 0;
  uint32_t m_dmacr = 0;
};

}  // namespace tandem

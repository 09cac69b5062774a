// SPDX-License-Identifier: Apache-2.0
// MMIO expectations were read from qemu-system-riscv64 7.2 (-M virt, UART at 0x10000000) by a
// probe guest doing the same accesses; port-I/O widths follow QEMU's serial_io_ops (byte
// accesses only, so a wide IN/OUT touches consecutive registers).
#include "devices/uart/ns16550.h"

#include <gtest/gtest.h>

#include "fakes.h"

namespace tandem {
namespace {

using test::FakeIrqController;
using test::StringSink;

class Ns16550Mmio : public ::testing::Test {
 protected:
  uint64_t r8(unsigned reg) { return uart.read(reg, 1); }
  void w8(unsigned reg, uint8_t v) { uart.write(reg, 1, v); }

  StringSink sink;
  FakeIrqController plic;
  Ns16550 uart{sink, Ns16550Access::kMmio, 0, IrqLine(&plic, 10)};
};

TEST_F(Ns16550Mmio, ResetValues) {
  const uint8_t expected[8] = {0x00, 0x00, 0x01, 0x00, 0x08, 0x60, 0xB0, 0x00};
  for (unsigned reg = 0; reg < 8; ++reg) EXPECT_EQ(r8(reg), expected[reg]) << reg;
  EXPECT_EQ(uart.size(), 8u);
  EXPECT_FALSE(plic.level_now);
}

TEST_F(Ns16550Mmio, WideAccessesTouchOneRegister) {
  EXPECT_EQ(uart.read(0, 2), 0u);
  EXPECT_EQ(uart.read(0, 4), 0u);
  EXPECT_EQ(uart.read(0, 8), 0u);
  EXPECT_EQ(uart.read(4, 4), 0x08u);  // MCR only, not MCR | LSR << 8 ...
  EXPECT_EQ(uart.read(6, 2), 0xB0u);  // MSR only
  uart.write(4, 4, 0x12345609);       // low byte to MCR
  EXPECT_EQ(r8(Ns16550::MCR), 0x09u);
  uart.write(0, 8, 0x4241);  // low byte to THR
  EXPECT_EQ(sink.out, "A");
}

TEST_F(Ns16550Mmio, ScratchRoundTrip) {
  for (unsigned v = 0; v < 256; ++v) {
    w8(Ns16550::SCR, static_cast<uint8_t>(v));
    ASSERT_EQ(r8(Ns16550::SCR), v);
  }
}

TEST_F(Ns16550Mmio, DlabSwitchesRegistersZeroAndOneToTheDivisor) {
  w8(Ns16550::IER, 0x05);
  w8(Ns16550::LCR, 0x83);
  EXPECT_EQ(r8(Ns16550::DLL), 0x0Cu);  // 9600 baud at reset
  EXPECT_EQ(r8(Ns16550::DLM), 0x00u);
  w8(Ns16550::DLL, 0x34);
  w8(Ns16550::DLM, 0x12);
  EXPECT_EQ(r8(Ns16550::DLL), 0x34u);
  EXPECT_EQ(r8(Ns16550::DLM), 0x12u);
  EXPECT_EQ(r8(Ns16550::LCR), 0x83u);
  EXPECT_EQ(r8(Ns16550::IIR), 0x01u);  // IIR is not behind DLAB
  EXPECT_EQ(sink.out, "");             // the DLL write was not transmitted
  w8(Ns16550::LCR, 0x03);
  EXPECT_EQ(r8(Ns16550::IER), 0x05u);  // IER kept its value
  w8(Ns16550::THR, 'k');
  EXPECT_EQ(sink.out, "k");
  w8(Ns16550::LCR, 0x80);
  EXPECT_EQ(r8(Ns16550::DLL), 0x34u);  // transmitting did not touch the divisor
}

TEST_F(Ns16550Mmio, ThreInterruptIsAcknowledgedByReadingIir) {
  w8(Ns16550::IER, 0xFF);
  EXPECT_EQ(r8(Ns16550::IER), 0x0Fu);
  EXPECT_TRUE(plic.level_now);
  EXPECT_EQ(plic.last_irq, 10u);
  EXPECT_EQ(r8(Ns16550::IIR), 0x02u);
  EXPECT_FALSE(plic.level_now);
  EXPECT_EQ(r8(Ns16550::IIR), 0x01u);
  w8(Ns16550::THR, 'x');  // THR empties again: THRE is pending again
  EXPECT_TRUE(plic.level_now);
  EXPECT_EQ(r8(Ns16550::IIR), 0x02u);
}

TEST_F(Ns16550Mmio, FifoControlShowsInIir) {
  w8(Ns16550::FCR, 0xC7);
  EXPECT_EQ(r8(Ns16550::IIR), 0xC1u);
  EXPECT_EQ(r8(Ns16550::LSR), 0x60u);
  w8(Ns16550::FCR, 0x00);
  EXPECT_EQ(r8(Ns16550::IIR), 0x01u);
}

TEST_F(Ns16550Mmio, ModemControlAndLoopback) {
  w8(Ns16550::MCR, 0xFF);
  EXPECT_EQ(r8(Ns16550::MCR), 0x1Fu);
  EXPECT_EQ(r8(Ns16550::MSR), 0xF0u);  // OUT2->DCD, OUT1->RI, RTS->CTS, DTR->DSR
  w8(Ns16550::MCR, 0x10 | 0x0A);       // what Linux's 8250 probe writes
  EXPECT_EQ(r8(Ns16550::MSR), 0x90u);
  w8(Ns16550::THR, 'Z');  // looped back, not sent
  EXPECT_EQ(sink.out, "");
  EXPECT_EQ(r8(Ns16550::LSR), 0x61u);
  EXPECT_EQ(r8(Ns16550::RBR), static_cast<uint64_t>('Z'));
  w8(Ns16550::MCR, 0x08);
  EXPECT_EQ(r8(Ns16550::MSR), 0xB0u);
}

TEST_F(Ns16550Mmio, LineAndModemStatusIgnoreWrites) {
  w8(Ns16550::LSR, 0xFF);
  w8(Ns16550::MSR, 0xFF);
  EXPECT_EQ(r8(Ns16550::LSR), 0x60u);
  EXPECT_EQ(r8(Ns16550::MSR), 0xB0u);
}

TEST_F(Ns16550Mmio, ReceiveSetsDataReadyAndOverrun) {
  EXPECT_TRUE(uart.can_receive());
  uart.push_rx('a');
  EXPECT_FALSE(uart.can_receive());
  EXPECT_EQ(r8(Ns16550::LSR), 0x61u);
  uart.push_rx('b');                   // overrun: the new byte replaces the old one
  EXPECT_EQ(r8(Ns16550::LSR), 0x63u);  // DR | OE; reading clears OE
  EXPECT_EQ(r8(Ns16550::LSR), 0x61u);
  EXPECT_EQ(r8(Ns16550::RBR), static_cast<uint64_t>('b'));
  EXPECT_EQ(r8(Ns16550::LSR), 0x60u);
}

TEST_F(Ns16550Mmio, ReceiveInterruptHonoursTheFifoTriggerLevel) {
  w8(Ns16550::FCR, 0x81);  // FIFO on, trigger at 8 bytes
  w8(Ns16550::IER, Ns16550::IER_RDI);
  for (int i = 0; i < 7; ++i) uart.push_rx(static_cast<uint8_t>('0' + i));
  EXPECT_EQ(r8(Ns16550::IIR), 0xC1u);
  EXPECT_FALSE(plic.level_now);
  uart.push_rx('7');
  EXPECT_EQ(r8(Ns16550::IIR), 0xC4u);
  EXPECT_TRUE(plic.level_now);
  for (int i = 0; i < 8; ++i) EXPECT_EQ(r8(Ns16550::RBR), static_cast<uint64_t>('0' + i));
  EXPECT_EQ(r8(Ns16550::RBR), 0u);  // empty FIFO reads 0
  EXPECT_EQ(r8(Ns16550::LSR), 0x60u);
  EXPECT_FALSE(plic.level_now);
}

// Fewer bytes than the trigger level raise the character timeout once the line goes quiet
// (IIR 0xCC); reading RBR clears it, and a new byte restarts the wait.
TEST_F(Ns16550Mmio, BytesBelowTheTriggerRaiseTheCharacterTimeoutWhenTheLineIsQuiet) {
  w8(Ns16550::FCR, 0x81);  // FIFO on, trigger at 8 bytes
  w8(Ns16550::IER, Ns16550::IER_RDI);
  for (int i = 0; i < 3; ++i) uart.push_rx(static_cast<uint8_t>('a' + i));
  EXPECT_FALSE(plic.level_now);
  uart.rx_timeout();
  EXPECT_EQ(r8(Ns16550::IIR), 0xCCu);
  EXPECT_TRUE(plic.level_now);
  uart.push_rx('d');  // a new byte restarts the four character times
  EXPECT_EQ(r8(Ns16550::IIR), 0xC1u);
  EXPECT_FALSE(plic.level_now);
  uart.rx_timeout();
  EXPECT_EQ(r8(Ns16550::RBR), static_cast<uint64_t>('a'));
  EXPECT_EQ(r8(Ns16550::IIR), 0xC1u);  // the read cleared it; three bytes still wait
  EXPECT_FALSE(plic.level_now);
  uart.rx_timeout();
  EXPECT_TRUE(plic.level_now);
  for (int i = 1; i < 4; ++i) EXPECT_EQ(r8(Ns16550::RBR), static_cast<uint64_t>('a' + i));
  uart.rx_timeout();  // nothing waits: no timeout
  EXPECT_EQ(r8(Ns16550::IIR), 0xC1u);
  EXPECT_FALSE(plic.level_now);
}

TEST_F(Ns16550Mmio, CharacterTimeoutNeedsTheFifoAndTheReceiveInterrupt) {
  w8(Ns16550::IER, Ns16550::IER_RDI);
  uart.push_rx('x');  // FIFO off: the byte interrupts at once, as data available
  uart.rx_timeout();
  EXPECT_EQ(r8(Ns16550::IIR), 0x04u);
  EXPECT_EQ(r8(Ns16550::RBR), static_cast<uint64_t>('x'));
  w8(Ns16550::FCR, 0xC1);  // FIFO on, trigger at 14
  w8(Ns16550::IER, 0);
  uart.push_rx('y');
  uart.rx_timeout();
  EXPECT_EQ(r8(Ns16550::IIR), 0xC1u);  // pending but masked
  EXPECT_FALSE(plic.level_now);
  w8(Ns16550::IER, Ns16550::IER_RDI);
  EXPECT_EQ(r8(Ns16550::IIR), 0xCCu);
  EXPECT_TRUE(plic.level_now);
}

TEST_F(Ns16550Mmio, FullFifoFlagsOverrunAndKeepsContents) {
  w8(Ns16550::FCR, 0x01);
  for (unsigned i = 0; i < Ns16550::kFifoSize; ++i) uart.push_rx(static_cast<uint8_t>(i));
  EXPECT_FALSE(uart.can_receive());
  uart.push_rx(0xEE);
  EXPECT_EQ(r8(Ns16550::LSR), 0x63u);
  for (unsigned i = 0; i < Ns16550::kFifoSize; ++i) EXPECT_EQ(r8(Ns16550::RBR), i);
}

TEST(Ns16550, MmioRegisterShiftSpreadsRegisters) {
  StringSink sink;
  Ns16550 uart(sink, Ns16550Access::kMmio, 2);
  EXPECT_EQ(uart.size(), 32u);
  EXPECT_EQ(uart.read(5 << 2, 4), 0x60u);        // LSR
  EXPECT_EQ(uart.read((5 << 2) + 1, 1), 0x60u);  // the low offset bits are ignored
  EXPECT_EQ(uart.read(6 << 2, 4), 0xB0u);        // MSR
  uart.write(7 << 2, 4, 0xA5);
  EXPECT_EQ(uart.read(7 << 2, 1), 0xA5u);
  uart.write(0, 4, 'q');
  EXPECT_EQ(sink.out, "q");
}

TEST(Ns16550, PortWideAccessesTouchConsecutiveRegisters) {
  StringSink sink;
  Ns16550 uart(sink, Ns16550Access::kPortIo);
  EXPECT_EQ(uart.size(), 8u);
  uart.write(7, 1, 0x5A);
  // inl at base+4: MCR | LSR << 8 | MSR << 16 | SCR << 24.
  EXPECT_EQ(uart.read(4, 4), 0x5AB06008u);
  EXPECT_EQ(uart.read(5, 1), 0x60u);
  // outw at base: THR = low byte, IER = high byte.
  uart.write(0, 2, 0x0541);
  EXPECT_EQ(sink.out, "A");
  EXPECT_EQ(uart.read(1, 1), 0x05u);
  // inw at base+2 reads IIR then LCR.
  EXPECT_EQ(uart.read(2, 2), 0x0001u);
}

}  // namespace
}  // namespace tandem

// SPDX-License-Identifier: Apache-2.0
// Expected values were read from qemu-system-aarch64 7.2 (-M virt, PL011 at 0x09000000) by a
// probe guest doing the same accesses.
#include "devices/uart/pl011.h"

#include <gtest/gtest.h>

#include "fakes.h"

namespace tandem {
namespace {

using test::FakeIrqController;
using test::StringSink;

class Pl011Test : public ::testing::Test {
 protected:
  uint64_t r32(uint64_t off) { return uart.read(off, 4); }
  void w32(uint64_t off, uint64_t v) { uart.write(off, 4, v); }

  StringSink sink;
  FakeIrqController gic;
  Pl011 uart{sink, IrqLine(&gic, 33)};
};

TEST_F(Pl011Test, ResetValues) {
  EXPECT_EQ(r32(Pl011::UARTFR), 0x90u);   // TXFE | RXFE, BUSY clear
  EXPECT_EQ(r32(Pl011::UARTCR), 0x300u);  // TXE | RXE
  EXPECT_EQ(r32(Pl011::UARTIFLS), 0x12u);
  for (uint64_t off :
       {Pl011::UARTDR, Pl011::UARTRSR, Pl011::UARTILPR, Pl011::UARTIBRD, Pl011::UARTFBRD,
        Pl011::UARTLCR_H, Pl011::UARTIMSC, Pl011::UARTRIS, Pl011::UARTMIS, Pl011::UARTDMACR})
    EXPECT_EQ(r32(off), 0u) << std::hex << off;
  EXPECT_FALSE(gic.level_now);
}

TEST_F(Pl011Test, IdRegistersByteByByte) {
  const uint8_t expected[8] = {0x11, 0x10, 0x14, 0x00, 0x0D, 0xF0, 0x05, 0xB1};
  for (unsigned i = 0; i < 8; ++i) {
    const uint64_t off = 0xFE0 + 4 * i;
    EXPECT_EQ(r32(off), expected[i]) << std::hex << off;
    // Narrow reads anywhere in the word return the same register, truncated.
    EXPECT_EQ(uart.read(off, 1), expected[i]);
    EXPECT_EQ(uart.read(off + 1, 1), expected[i]);
    EXPECT_EQ(uart.read(off + 2, 2), expected[i]);
  }
  EXPECT_EQ(uart.read(0xFE0, 8), 0x10'0000'0011u);
  EXPECT_EQ(uart.read(0xFF0, 8), 0xF0'0000'000Du);
  w32(0xFE0, 0xFFFFFFFF);  // read-only
  EXPECT_EQ(r32(0xFE0), 0x11u);
}

TEST_F(Pl011Test, NarrowReadsReturnTheLowBytesOfTheWholeRegister) {
  // CR = 0x300: QEMU widens an 8-bit read at 0x30 or 0x31 to the 32-bit register and keeps
  // bits [7:0], so both read 0; a 16-bit read keeps [15:0].
  EXPECT_EQ(uart.read(Pl011::UARTCR, 1), 0x00u);
  EXPECT_EQ(uart.read(Pl011::UARTCR + 1, 1), 0x00u);
  EXPECT_EQ(uart.read(Pl011::UARTCR, 2), 0x300u);
  EXPECT_EQ(uart.read(Pl011::UARTCR + 2, 2), 0x300u);
  EXPECT_EQ(uart.read(Pl011::UARTFR, 1), 0x90u);
}

TEST_F(Pl011Test, WideReadsCombineTwoRegisters) {
  EXPECT_EQ(uart.read(Pl011::UARTCR, 8), 0x12'0000'0300u);  // CR | IFLS << 32
  EXPECT_EQ(uart.read(Pl011::UARTFR, 8), 0x90u);            // FR | reserved 0x1C << 32
}

TEST_F(Pl011Test, TransmitGoesToTheSinkAndRaisesTxInterrupt) {
  w32(Pl011::UARTDR, 'h');
  w32(Pl011::UARTDR, 0x141);              // only [7:0] is data
  uart.write(Pl011::UARTDR + 1, 1, 'B');  // a byte store anywhere in DR is a DR write
  uart.write(Pl011::UARTDR, 8, 0x4544);   // 'D' to DR, 0 to RSR/ECR
  EXPECT_EQ(sink.out, "hABD");
  EXPECT_EQ(r32(Pl011::UARTFR), 0x90u);  // still idle
  EXPECT_EQ(r32(Pl011::UARTRIS), Pl011::INT_TX);
  EXPECT_EQ(r32(Pl011::UARTMIS), 0u);
  EXPECT_FALSE(gic.level_now);

  w32(Pl011::UARTIMSC, Pl011::INT_TX);
  EXPECT_EQ(r32(Pl011::UARTMIS), Pl011::INT_TX);
  EXPECT_TRUE(gic.level_now);
  EXPECT_EQ(gic.last_irq, 33u);

  w32(Pl011::UARTICR, Pl011::INT_TX);
  EXPECT_EQ(r32(Pl011::UARTRIS), 0u);
  EXPECT_FALSE(gic.level_now);
}

TEST_F(Pl011Test, ReadWriteRegistersKeepAll32Bits) {
  // QEMU 7.2 stores these unmasked.
  for (uint64_t off : {Pl011::UARTILPR, Pl011::UARTIBRD, Pl011::UARTFBRD, Pl011::UARTCR,
                       Pl011::UARTIFLS, Pl011::UARTIMSC, Pl011::UARTDMACR}) {
    w32(off, 0xFFFFFFFF);
    EXPECT_EQ(r32(off), 0xFFFFFFFFu) << std::hex << off;
  }
  w32(Pl011::UARTLCR_H, 0xFFFFFF6F);
  EXPECT_EQ(r32(Pl011::UARTLCR_H), 0xFFFFFF6Fu);
  uart.write(Pl011::UARTIBRD, 2, 0xABCD);
  EXPECT_EQ(r32(Pl011::UARTIBRD), 0xABCDu);
  uart.write(Pl011::UARTFBRD + 1, 1, 0x12);  // lands in FBRD[7:0], not [15:8]
  EXPECT_EQ(r32(Pl011::UARTFBRD), 0x12u);
  uart.write(Pl011::UARTIMSC, 8, 0x0000'0007'0000'0005);  // IMSC = 5; RIS is read-only
  EXPECT_EQ(r32(Pl011::UARTIMSC), 5u);
  EXPECT_EQ(r32(Pl011::UARTRIS), 0u);
}

TEST_F(Pl011Test, ReadOnlyAndReservedOffsets) {
  w32(Pl011::UARTFR, 0xFFFFFFFF);
  EXPECT_EQ(r32(Pl011::UARTFR), 0x90u);
  w32(Pl011::UARTRSR, 0xFFFFFFFF);  // ECR: clears
  EXPECT_EQ(r32(Pl011::UARTRSR), 0u);
  for (uint64_t off : {0x08u, 0x0Cu, 0x10u, 0x14u, 0x1Cu, 0x44u, 0x4Cu, 0x50u, 0xFDCu}) {
    w32(off, 0xFFFFFFFF);
    EXPECT_EQ(r32(off), 0u) << std::hex << off;
  }
  EXPECT_EQ(sink.out, "");
}

TEST_F(Pl011Test, ReceiveWithoutFifoHoldsOneCharacter) {
  w32(Pl011::UARTIMSC, Pl011::INT_RX);
  ASSERT_TRUE(uart.can_receive());
  uart.push_rx('x');
  EXPECT_FALSE(uart.can_receive());
  EXPECT_EQ(r32(Pl011::UARTFR), Pl011::FR_TXFE | Pl011::FR_RXFF);  // 1-deep holding register
  EXPECT_EQ(r32(Pl011::UARTRIS), Pl011::INT_RX);
  EXPECT_TRUE(gic.level_now);

  EXPECT_EQ(r32(Pl011::UARTDR), static_cast<uint64_t>('x'));
  EXPECT_EQ(r32(Pl011::UARTFR), 0x90u);
  EXPECT_EQ(r32(Pl011::UARTRIS), 0u);
  EXPECT_FALSE(gic.level_now);
  EXPECT_TRUE(uart.can_receive());
}

TEST_F(Pl011Test, ReceiveFifoKeepsOrderAndReportsFull) {
  w32(Pl011::UARTLCR_H, Pl011::LCR_H_FEN);
  for (unsigned i = 0; i < Pl011::kFifoDepth; ++i) {
    ASSERT_TRUE(uart.can_receive()) << i;
    uart.push_rx(static_cast<uint8_t>('a' + i));
  }
  EXPECT_FALSE(uart.can_receive());
  EXPECT_EQ(r32(Pl011::UARTFR), Pl011::FR_TXFE | Pl011::FR_RXFF);
  uart.push_rx('!');  // dropped
  for (unsigned i = 0; i < Pl011::kFifoDepth; ++i)
    EXPECT_EQ(r32(Pl011::UARTDR), static_cast<uint64_t>('a' + i)) << i;
  EXPECT_EQ(r32(Pl011::UARTFR), 0x90u);
  // Turning the FIFO off empties it.
  uart.push_rx('q');
  w32(Pl011::UARTLCR_H, 0);
  EXPECT_EQ(r32(Pl011::UARTFR), 0x90u);
}

TEST_F(Pl011Test, ResetRestoresPowerOnState) {
  w32(Pl011::UARTCR, 0);
  w32(Pl011::UARTIMSC, 0x7FF);
  w32(Pl011::UARTDR, 'z');
  EXPECT_TRUE(gic.level_now);
  uart.reset();
  EXPECT_EQ(r32(Pl011::UARTCR), 0x300u);
  EXPECT_EQ(r32(Pl011::UARTIMSC), 0u);
  EXPECT_EQ(r32(Pl011::UARTRIS), 0u);
  EXPECT_FALSE(gic.level_now);
}

}  // namespace
}  // namespace tandem

// SPDX-License-Identifier: Apache-2.0
// Device::register_name of the UARTs, the power and exit devices and the virtio-mmio transport,
// against their manuals' offsets: PL011 (DDI 0183G table 3-1), NS16550 (PC16550D "Register
// Addresses", with DLAB and direction), ACPI PM1a (ACPI 6.5 4.8.3), virtio-mmio (virtio 1.2
// 4.2.2).
#include <gtest/gtest.h>

#include <string>

#include "devices/exit/isa_debug_exit.h"
#include "devices/exit/sifive_test.h"
#include "devices/power/acpi_pm.h"
#include "devices/uart/ns16550.h"
#include "devices/uart/pl011.h"
#include "devices/virtio/mmio_transport.h"
#include "fakes.h"
#include "unit/register_name_of.h"

namespace tandem::test {
namespace {

TEST(RegisterNames, Pl011ByDatasheetOffset) {
  StringSink sink;
  Pl011 uart(sink);
  EXPECT_EQ(name_of(uart, 0x000, true), "UARTDR");
  EXPECT_EQ(name_of(uart, 0x001), "UARTDR");  // a byte inside the register
  EXPECT_EQ(name_of(uart, 0x004), "UARTRSR");
  EXPECT_EQ(name_of(uart, 0x004, true), "UARTECR");
  EXPECT_EQ(name_of(uart, 0x018), "UARTFR");
  EXPECT_EQ(name_of(uart, 0x020), "UARTILPR");
  EXPECT_EQ(name_of(uart, 0x024), "UARTIBRD");
  EXPECT_EQ(name_of(uart, 0x028), "UARTFBRD");
  EXPECT_EQ(name_of(uart, 0x02C), "UARTLCR_H");
  EXPECT_EQ(name_of(uart, 0x030), "UARTCR");
  EXPECT_EQ(name_of(uart, 0x034), "UARTIFLS");
  EXPECT_EQ(name_of(uart, 0x038), "UARTIMSC");
  EXPECT_EQ(name_of(uart, 0x03C), "UARTRIS");
  EXPECT_EQ(name_of(uart, 0x040), "UARTMIS");
  EXPECT_EQ(name_of(uart, 0x044), "UARTICR");
  EXPECT_EQ(name_of(uart, 0x048), "UARTDMACR");
  EXPECT_EQ(name_of(uart, 0xFE0), "UARTPeriphID0");
  EXPECT_EQ(name_of(uart, 0xFEC), "UARTPeriphID3");
  EXPECT_EQ(name_of(uart, 0xFF0), "UARTPCellID0");
  EXPECT_EQ(name_of(uart, 0xFFC), "UARTPCellID3");
  EXPECT_EQ(name_of(uart, 0x008), "(none)");  // reserved
  EXPECT_EQ(name_of(uart, 0x04C), "(none)");
}

TEST(RegisterNames, Ns16550FollowsDlabAndDirection) {
  StringSink sink;
  Ns16550 port(sink, Ns16550Access::kPortIo);
  EXPECT_EQ(name_of(port, 0), "RBR");
  EXPECT_EQ(name_of(port, 0, true), "THR");
  EXPECT_EQ(name_of(port, 1), "IER");
  EXPECT_EQ(name_of(port, 2), "IIR");
  EXPECT_EQ(name_of(port, 2, true), "FCR");
  EXPECT_EQ(name_of(port, 3), "LCR");
  EXPECT_EQ(name_of(port, 4), "MCR");
  EXPECT_EQ(name_of(port, 5), "LSR");
  EXPECT_EQ(name_of(port, 6), "MSR");
  EXPECT_EQ(name_of(port, 7), "SCR");
  port.write(3, 1, Ns16550::LCR_DLAB);  // the divisor latch replaces RBR/THR and IER
  EXPECT_EQ(name_of(port, 0), "DLL");
  EXPECT_EQ(name_of(port, 0, true), "DLL");
  EXPECT_EQ(name_of(port, 1), "DLM");
  EXPECT_EQ(name_of(port, 2, true), "FCR");
  // riscv virt: registers one byte apart too, at MMIO; with reg_shift 2 four bytes apart.
  Ns16550 wide(sink, Ns16550Access::kMmio, 2);
  EXPECT_EQ(name_of(wide, 5 * 4), "LSR");
  EXPECT_EQ(name_of(wide, 0, true), "THR");
}

TEST(RegisterNames, AcpiPmAndExitDevices) {
  FakePower power;
  AcpiPm pm(power, 5);
  EXPECT_EQ(name_of(pm, 0), "PM1a_STS");
  EXPECT_EQ(name_of(pm, 2), "PM1a_EN");
  EXPECT_EQ(name_of(pm, 4, true), "PM1a_CNT");
  EXPECT_EQ(name_of(pm, 5, true), "PM1a_CNT");
  EXPECT_EQ(name_of(pm, 6), "(none)");
  SifiveTest test(power);
  EXPECT_EQ(name_of(test, 0, true), "finisher");
  EXPECT_EQ(name_of(test, 8, true), "(none)");
  IsaDebugExit exit(power);
  EXPECT_EQ(name_of(exit, 0, true), "iobase");
  EXPECT_TRUE(power.offs.empty());  // naming never touches a device
}

TEST(RegisterNames, VirtioMmioTransport) {
  virtio::MmioTransport t;
  EXPECT_EQ(name_of(t, 0x000), "MagicValue");
  EXPECT_EQ(name_of(t, 0x008), "DeviceID");
  EXPECT_EQ(name_of(t, 0x014, true), "DeviceFeaturesSel");
  EXPECT_EQ(name_of(t, 0x030, true), "QueueSel");
  EXPECT_EQ(name_of(t, 0x044, true), "QueueReady");
  EXPECT_EQ(name_of(t, 0x050, true), "QueueNotify");
  EXPECT_EQ(name_of(t, 0x060), "InterruptStatus");
  EXPECT_EQ(name_of(t, 0x064, true), "InterruptACK");
  EXPECT_EQ(name_of(t, 0x070), "Status");
  EXPECT_EQ(name_of(t, 0x0a4, true), "QueueDeviceHigh");
  EXPECT_EQ(name_of(t, 0x0b4), "SHMLenHigh");
  EXPECT_EQ(name_of(t, 0x0b8), "SHMBaseLow");
  EXPECT_EQ(name_of(t, 0x0fc), "ConfigGeneration");
  EXPECT_EQ(name_of(t, 0x108), "Config[0x8]");
  EXPECT_EQ(name_of(t, 0x018), "(none)");  // reserved
}

}  // namespace
}  // namespace tandem::test

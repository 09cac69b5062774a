// SPDX-License-Identifier: Apache-2.0
// The DSDT's virtio-mmio devices against ACPI 6.5: the AML encodings of 20.2 (ScopeOp 0x10,
// DeviceOp 0x5b 0x82, NameOp 0x08, BufferOp 0x11, PkgLength 20.2.4), and the resource
// descriptors of 6.4 (Memory32Fixed 6.4.3.4, Extended Interrupt 6.4.3.6, End Tag 6.4.2.9),
// written out byte by byte here from the spec's tables.
#include "core/acpi/virtio_aml.h"

#include <gtest/gtest.h>

#include <array>
#include <vector>

namespace tandem::acpi {
namespace {

// Device (VR01) { Name (_HID, "LNRO0005") Name (_UID, 1) Name (_CRS, ResourceTemplate () {
// Memory32Fixed (ReadWrite, 0xd0001000, 0x1000) Interrupt (ResourceConsumer, Level,
// ActiveHigh, Exclusive) { 17 } }) }
const std::vector<uint8_t> kDevice1 = {
    0x5b, 0x82, 59,  'V',  'R',  '0',  '1',  // Device, PkgLength 59
    0x08, '_',  'H', 'I',  'D',  0x0d, 'L',  'N',  'R',  'O',  '0',  '0',
    '0',  '5',  0,                                                          // _HID string
    0x08, '_',  'U', 'I',  'D',  0x0a, 1,                                   // _UID BytePrefix 1
    0x08, '_',  'C', 'R',  'S',  0x11, 26,   0x0a, 23,                      // Buffer (23)
    0x86, 9,    0,   1,    0x00, 0x10, 0x00, 0xd0, 0x00, 0x10, 0x00, 0x00,  // Memory32Fixed RW
    0x89, 6,    0,   0x01, 1,    17,   0,    0,    0,                       // consumer, level, high
    0x79, 0,                                                                // End Tag
};

TEST(VirtioAml, OneDeviceByteForByte) {
  const MmioTransport t[] = {{0xd0000000, 0x1000, 16}, {0xd0001000, 0x1000, 17}};
  std::array<uint8_t, 256> out{};
  auto n = write_virtio_aml(t, out);
  ASSERT_TRUE(n.ok());
  ASSERT_EQ(*n, virtio_aml_size(2));
  ASSERT_EQ(kDevice1.size(), kVirtioDeviceAmlSize);
  // Scope (\_SB) with a one-byte PkgLength: 1 + 5 + 2 * 61 = 128 > 63, so two bytes.
  const size_t body = 5 + 2 * kVirtioDeviceAmlSize;
  EXPECT_EQ(out[0], 0x10);
  EXPECT_EQ(out[1], 0x40 | ((body + 2) & 0xf));
  EXPECT_EQ(out[2], (body + 2) >> 4);
  EXPECT_EQ(out[3], '\\');
  EXPECT_EQ(std::vector<uint8_t>(out.begin() + 4, out.begin() + 8),
            (std::vector<uint8_t>{'_', 'S', 'B', '_'}));
  const auto second = out.begin() + 8 + kVirtioDeviceAmlSize;
  EXPECT_EQ(std::vector<uint8_t>(second, second + kVirtioDeviceAmlSize), kDevice1);
  EXPECT_EQ(out[8 + 3], 'V');
  EXPECT_EQ(out[8 + 6], '0');  // VR00
  EXPECT_EQ(*n, 8 + 2 * kVirtioDeviceAmlSize);
}

TEST(VirtioAml, NamesSixteenDevicesInHex) {
  std::array<MmioTransport, kMaxVirtioTransports> t{};
  std::array<uint8_t, 1200> out{};
  auto n = write_virtio_aml(t, out);
  ASSERT_TRUE(n.ok());
  const size_t last = 8 + 15 * kVirtioDeviceAmlSize;
  EXPECT_EQ(out[last + 5], '0');
  EXPECT_EQ(out[last + 6], 'F');  // VR0F
}

TEST(VirtioAml, NothingForNoTransports) {
  std::array<uint8_t, 4> out{};
  auto n = write_virtio_aml({}, out);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 0u);
}

TEST(VirtioAml, RefusesTooManyTransportsOrTooLittleRoom) {
  std::array<MmioTransport, kMaxVirtioTransports + 1> t{};
  std::array<uint8_t, 2048> out{};
  EXPECT_EQ(write_virtio_aml(t, out).error(), Status::kInvalidArgument);
  std::array<uint8_t, 68> small{};
  EXPECT_EQ(write_virtio_aml(std::span(t).first(1), small).error(), Status::kOutOfRange);
}

}  // namespace
}  // namespace tandem::acpi

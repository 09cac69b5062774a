// SPDX-License-Identifier: Apache-2.0
#include "core/acpi/virtio_aml.h"

#include "core/base/le_bytes.h"

namespace tandem::acpi {
namespace {

// AML opcodes and prefixes (ACPI 6.5 20.3).
constexpr uint8_t kNameOp = 0x08, kBytePrefix = 0x0a, kStringPrefix = 0x0d;
constexpr uint8_t kScopeOp = 0x10, kBufferOp = 0x11, kExtOpPrefix = 0x5b, kDeviceOp = 0x82;
constexpr uint8_t kRootChar = '\\';

// Resource descriptors (6.4): Memory32Fixed (6.4.3.4), Extended Interrupt (6.4.3.6), End Tag.
constexpr size_t kMemory32FixedSize = 12, kInterruptSize = 9, kEndTagSize = 2;
constexpr size_t kResourcesSize = kMemory32FixedSize + kInterruptSize + kEndTagSize;
constexpr uint8_t kMemory32Fixed = 0x86, kExtendedInterrupt = 0x89, kEndTag = 0x79;
constexpr uint8_t kReadWrite = 1u << 0;
// Interrupt flags: consumer (bit 0); level-triggered (bit 1 clear), active high (bit 2
// clear), exclusive (bit 3 clear).
constexpr uint8_t kIrqConsumer = 1u << 0;

constexpr char kHid[] = "LNRO0005";  // with its NUL
// Name (_CRS, Buffer (n) {...}): NameOp '_CRS' BufferOp PkgLength BytePrefix n, then n bytes.
constexpr size_t kCrsBody = 1 + 2 + kResourcesSize;  // PkgLength (1 byte), BufferSize, bytes
constexpr size_t kCrsSize = 1 + 4 + 1 + kCrsBody;
constexpr size_t kHidSize = 1 + 4 + 1 + sizeof kHid;
constexpr size_t kUidSize = 1 + 4 + 2;
constexpr size_t kDeviceBody = 1 + 4 + kHidSize + kUidSize + kCrsSize;  // PkgLength (1 byte)
constexpr size_t kDeviceSize = 2 + kDeviceBody;
static_assert(kCrsBody < 64 && kDeviceBody < 64, "one-byte PkgLengths");
static_assert(kDeviceSize == kVirtioDeviceAmlSize);

// A PkgLength (20.2.4) for `body` bytes after it: the encoding's size counts itself.
size_t pkg_length_size(size_t body) { return body + 1 < 64 ? 1 : 2; }

uint8_t* put_pkg_length(uint8_t* p, size_t body) {
  const size_t total = body + pkg_length_size(body);
  if (total < 64) {
    *p++ = static_cast<uint8_t>(total);
  } else {
    *p++ = static_cast<uint8_t>(0x40 | (total & 0xf));
    *p++ = static_cast<uint8_t>(total >> 4);
  }
  return p;
}

uint8_t* put_name(uint8_t* p, const char* seg) {
  for (int i = 0; i < 4; ++i) *p++ = static_cast<uint8_t>(seg[i]);
  return p;
}

char hex_digit(size_t v) { return static_cast<char>(v < 10 ? '0' + v : 'A' + (v - 10)); }

uint8_t* put_device(uint8_t* p, size_t index, const MmioTransport& t) {
  *p++ = kExtOpPrefix;
  *p++ = kDeviceOp;
  p = put_pkg_length(p, kDeviceBody - 1);
  const char name[4] = {'V', 'R', hex_digit(index >> 4), hex_digit(index & 0xf)};
  p = put_name(p, name);
  *p++ = kNameOp;
  p = put_name(p, "_HID");
  *p++ = kStringPrefix;
  for (char c : kHid) *p++ = static_cast<uint8_t>(c);
  *p++ = kNameOp;
  p = put_name(p, "_UID");
  *p++ = kBytePrefix;
  *p++ = static_cast<uint8_t>(index);
  *p++ = kNameOp;
  p = put_name(p, "_CRS");
  *p++ = kBufferOp;
  p = put_pkg_length(p, kCrsBody - 1);
  *p++ = kBytePrefix;
  *p++ = kResourcesSize;
  *p++ = kMemory32Fixed;
  store_le(p, kMemory32FixedSize - 3, 2);
  p[2] = kReadWrite;
  store_le(p + 3, t.base, 4);
  store_le(p + 7, t.size, 4);
  p += kMemory32FixedSize - 1;
  *p++ = kExtendedInterrupt;
  store_le(p, kInterruptSize - 3, 2);
  p[2] = kIrqConsumer;
  p[3] = 1;  // one interrupt in the table
  store_le(p + 4, t.gsi, 4);
  p += kInterruptSize - 1;
  *p++ = kEndTag;
  *p++ = 0;  // checksum 0: "treated as if the checksum operation succeeded"
  return p;
}

}  // namespace

Result<size_t> write_virtio_aml(std::span<const MmioTransport> transports, std::span<uint8_t> out) {
  if (transports.size() > kMaxVirtioTransports) return Error(Status::kInvalidArgument);
  const size_t size = virtio_aml_size(transports.size());
  if (size > out.size()) return Error(Status::kOutOfRange);
  if (size == 0) return size_t{0};
  uint8_t* p = out.data();
  *p++ = kScopeOp;
  p = put_pkg_length(p, 5 + transports.size() * kDeviceSize);
  *p++ = kRootChar;
  p = put_name(p, "_SB_");
  for (size_t i = 0; i < transports.size(); ++i) p = put_device(p, i, transports[i]);
  return static_cast<size_t>(p - out.data());
}

}  // namespace tandem::acpi

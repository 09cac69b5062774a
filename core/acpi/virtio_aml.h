// SPDX-License-Identifier: Apache-2.0
// virtio-mmio transports in a DSDT, as AML (ACPI 6.5 chapter 20) a kernel without a device
// tree finds them by: Scope (\_SB) { Device (VRnn) { Name (_HID, "LNRO0005") Name (_UID, nn)
// Name (_CRS, ResourceTemplate () { Memory32Fixed (ReadWrite, base, size)
// Interrupt (ResourceConsumer, Level, ActiveHigh, Exclusive) { gsi } }) } ... }. LNRO0005 is
// the ACPI id Linux's virtio_mmio driver matches (drivers/virtio/virtio_mmio.c, as Firecracker
// and QEMU's microvm describe their transports). Level-triggered: the transport holds its
// line up while InterruptStatus is non-zero. Pure.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "core/base/result.h"

namespace tandem::acpi {

struct MmioTransport {
  uint32_t base;  // below 4 GiB (Memory32Fixed)
  uint32_t size;
  uint32_t gsi;
};

// Most transports a DSDT describes (device names VR00..VR0F).
inline constexpr size_t kMaxVirtioTransports = 16;

// Bytes the AML for `count` transports takes (0 for none: no scope is written): ScopeOp,
// PkgLength (1 or 2 bytes), \_SB_, then one 61-byte Device per transport.
inline constexpr size_t kVirtioDeviceAmlSize = 61;
constexpr size_t virtio_aml_size(size_t count) {
  const size_t body = 5 + count * kVirtioDeviceAmlSize;
  return count == 0 ? 0 : 1 + (body + 1 < 64 ? 1 : 2) + body;
}

// Writes the scope into `out`; the bytes written, kInvalidArgument for more than
// kMaxVirtioTransports transports, kOutOfRange when `out` is too small.
[[nodiscard]] Result<size_t> write_virtio_aml(std::span<const MmioTransport> transports,
                                              std::span<uint8_t> out);

}  // namespace tandem::acpi

// SPDX-License-Identifier: Apache-2.0
// Constants from the virtio 1.2 specification (OASIS, virtio-v1.2-cs01) that the transport,
// the virtqueues and every device share: device status bits (2.1), feature bits reserved for
// the transport (6), split-virtqueue flags (2.7.5, 2.7.6) and device IDs (5).
#pragma once

#include <bit>
#include <cstdint>

namespace tandem::virtio {

static_assert(std::endian::native == std::endian::little,
              "virtio 1.x structures are little-endian and read as host integers");

// 2.1 Device Status Field.
inline constexpr uint32_t kStatusAcknowledge = 1;
inline constexpr uint32_t kStatusDriver = 2;
inline constexpr uint32_t kStatusDriverOk = 4;
inline constexpr uint32_t kStatusFeaturesOk = 8;
inline constexpr uint32_t kStatusNeedsReset = 64;
inline constexpr uint32_t kStatusFailed = 128;

// 6 Reserved Feature Bits.
inline constexpr uint64_t kFIndirectDesc = uint64_t{1} << 28;  // VIRTIO_F_INDIRECT_DESC
inline constexpr uint64_t kFEventIdx = uint64_t{1} << 29;      // VIRTIO_F_EVENT_IDX
inline constexpr uint64_t kFVersion1 = uint64_t{1} << 32;      // VIRTIO_F_VERSION_1
// What every Tandem transport offers besides the device's own bits.
inline constexpr uint64_t kTransportFeatures = kFIndirectDesc | kFEventIdx | kFVersion1;

// 2.7.5 The Virtqueue Descriptor Table: flags.
inline constexpr uint16_t kDescFNext = 1;
inline constexpr uint16_t kDescFWrite = 2;
inline constexpr uint16_t kDescFIndirect = 4;
// 2.7.6 The Virtqueue Available Ring: flags.
inline constexpr uint16_t kAvailFNoInterrupt = 1;

// 5 Device Types.
enum class DeviceId : uint32_t {
  kNone = 0,  // a transport with no device behind it (4.2.2: DeviceID 0x0)
  kNet = 1,
  kBlock = 2,
  kConsole = 3,
  kEntropy = 4,
};

// Interrupt status bits (4.2.2 InterruptStatus).
inline constexpr uint32_t kIsrUsedBuffer = 1;
inline constexpr uint32_t kIsrConfigChange = 2;

}  // namespace tandem::virtio

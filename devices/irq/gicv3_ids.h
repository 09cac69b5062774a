// SPDX-License-Identifier: Apache-2.0
// Identification registers both GICv3 frames share (IHI 0069 12.1.2, 12.9.x, 12.10.x), with
// QEMU 7.2's values: an Arm r0p0 implementation (IIDR as a GIC-500) and CoreSight ID
// registers at 0xFFD0..0xFFFC whose PIDR2[7:4] = 3 names the GIC architecture version.
#pragma once

#include <array>
#include <cstdint>

namespace tandem::gicv3 {

inline constexpr uint32_t kIidr = 0x43B;
inline constexpr uint64_t kIdRegsFirst = 0xFFD0;
inline constexpr uint64_t kIdRegsEnd = 0x1'0000;
// PIDR0 tells the frames apart.
inline constexpr uint8_t kPidr0Distributor = 0x92;
inline constexpr uint8_t kPidr0Redistributor = 0x93;

// The ID register at `offset` (in [kIdRegsFirst, kIdRegsEnd)) of a frame with `pidr0`:
// PIDR4..7, PIDR0..3, CIDR0..3.
constexpr uint32_t id_register(uint64_t offset, uint8_t pidr0) {
  constexpr std::array<uint8_t, 12> kIds = {0x44, 0x00, 0x00, 0x00, 0x00, 0xB4,
                                            0x3B, 0x00, 0x0D, 0xF0, 0x05, 0xB1};
  const uint64_t index = (offset - kIdRegsFirst) / 4;
  return index == 4 ? pidr0 : kIds[index];
}
static_assert(id_register(0xFFE8, kPidr0Distributor) == 0x3B);

}  // namespace tandem::gicv3

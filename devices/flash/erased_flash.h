// SPDX-License-Identifier: Apache-2.0
// A flash bank that holds nothing: every byte reads 0xff, as erased NOR flash does, and writes
// change nothing. QEMU's aarch64 virt board has a second 64 MiB CFI flash bank at 0x04000000
// where U-Boot `qemu_arm64` keeps its environment; U-Boot reads it with plain loads before it
// knows of any flash (../shared/docs/REAL-GUESTS.md), and an erased bank makes it report "bad
// CRC, using default environment" instead of faulting. No CFI command set: a guest that writes
// commands reads 0xff back (logged at debug level).
#pragma once

#include <cstdint>

#include "core/bus/device.h"

namespace tandem {

class ErasedFlash final : public Device {
 public:
  static constexpr uint8_t kErased = 0xff;

  const char* name() const override { return "erased-flash"; }
  uint64_t read(uint64_t offset, unsigned size) override;
  void write(uint64_t offset, unsigned size, uint64_t value) override;
};

}  // namespace tandem

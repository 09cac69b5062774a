// SPDX-License-Identifier: Apache-2.0
// QEMU's isa-debug-exit (hw/misc/debugexit.c), at port 0xf4 on the PC map: any write ends the
// VM. QEMU exits with status (v << 1) | 1 so that no value can look like a clean exit; Tandem's
// convention is that the status is the value v itself, and tests comparing with QEMU translate.
// Reads return 0.
#pragma once

#include <cstdint>

#include "core/bus/device.h"
#include "core/vm/power.h"

namespace tandem {

class IsaDebugExit final : public Device {
 public:
  // QEMU's iosize property; the PC platform uses iosize=4 (DESIGN.md, "Guest platform").
  static constexpr uint64_t kSize = 4;

  explicit IsaDebugExit(PowerControl& power) : m_power(power) {}
  IsaDebugExit(const IsaDebugExit&) = delete;
  IsaDebugExit& operator=(const IsaDebugExit&) = delete;

  const char* name() const override { return "isa-debug-exit"; }
  uint64_t read(uint64_t offset, unsigned size) override;
  void write(uint64_t offset, unsigned size, uint64_t value) override;
  bool register_name(uint64_t offset, bool write, RegisterName& out) const override;

 private:
  PowerControl& m_power;
};

}  // namespace tandem

// SPDX-License-Identifier: Apache-2.0
// A device model, after Firecracker's BusDevice: reads and writes at an offset relative to the
// device's base, with a width of 1, 2, 4 or 8 bytes. A device never sees the bus, the vCPU or
// the backend. Accesses a device does not implement read as zero and ignore writes (logged at
// debug level by the device), so a guest cannot hurt the host through a device.
#pragma once

#include <cstdint>

#include "core/bus/register_name.h"

namespace tandem {

class Device {
 public:
  virtual const char* name() const = 0;
  virtual uint64_t read(uint64_t offset, unsigned size) = 0;
  virtual void write(uint64_t offset, unsigned size, uint64_t value) = 0;
  // The register a read (write = false) or a write at `offset` reaches, as the device's manual
  // spells it ("UARTFR", "GICD_ISENABLER1"), for trace lines (`tandem run --trace`). Looking
  // never changes the device. false where the device names none.
  virtual bool register_name(uint64_t offset, bool write, RegisterName& out) const {
    (void)offset, (void)write, (void)out;
    return false;
  }

 protected:
  ~Device() = default;
};

}  // namespace tandem

// SPDX-License-Identifier: Apache-2.0
// A virtio device as its transport sees it (virtio 1.2 chapter 5): its ID, feature bits,
// queues, configuration space, and what it does with buffers the driver makes available.
// Devices never see the bus or the transport's registers; they take buffers from the
// Virtqueue they are handed and give them back used. An error from process() means the
// driver broke the queue's rules: the transport sets DEVICE_NEEDS_RESET (2.1.1).
#pragma once

#include <cstdint>

#include "core/base/result.h"
#include "devices/virtio/virtio_spec.h"
#include "devices/virtio/virtqueue.h"

namespace tandem::virtio {

class VirtioDevice {
 public:
  virtual const char* name() const = 0;
  virtual DeviceId device_id() const = 0;
  // Device-specific feature bits (the transport adds kTransportFeatures).
  virtual uint64_t device_features() const = 0;
  virtual unsigned queue_count() const = 0;
  // The configuration space (little-endian), `size` 1, 2 or 4 bytes at `offset`; 0 past its end.
  virtual uint32_t config_read(uint32_t offset, unsigned size) const = 0;
  virtual void config_write(uint32_t offset, unsigned size, uint32_t value) {
    (void)offset, (void)size, (void)value;
  }
  // The driver set DRIVER_OK with these features negotiated.
  virtual void activate(uint64_t features) { (void)features; }
  // The driver wrote 0 to Status: forget everything negotiated.
  virtual void reset() {}
  // The queues the host side has work for (bit n: queue n), asked between vCPU slices; the
  // transport then runs those queues (a network device's received frames).
  virtual uint32_t host_pending() { return 0; }
  // Takes the buffers available on queue `index` and returns them used.
  [[nodiscard]] virtual Result<void> process(unsigned index, Virtqueue& queue) = 0;

 protected:
  ~VirtioDevice() = default;
};

}  // namespace tandem::virtio

// SPDX-License-Identifier: Apache-2.0
// virtio-rng (virtio 1.2 5.4): one request queue whose device-writable buffers the device
// fills with random bytes from its EntropySource; no feature bits, no configuration space.
// A buffer with device-readable bytes is returned unused (5.4.6.1 says the driver gives
// write-only buffers); a source that fails returns the buffer with nothing written.
#pragma once

#include "devices/virtio/entropy_source.h"
#include "devices/virtio/virtio_device.h"

namespace tandem::virtio {

class Entropy final : public VirtioDevice {
 public:
  explicit Entropy(EntropySource& source) : m_source(source) {}

  const char* name() const override { return "virtio-rng"; }
  DeviceId device_id() const override { return DeviceId::kEntropy; }
  uint64_t device_features() const override { return 0; }
  unsigned queue_count() const override { return 1; }
  uint32_t config_read(uint32_t, unsigned) const override { return 0; }
  [[nodiscard]] Result<void> process(unsigned index, Virtqueue& queue) override;

 private:
  EntropySource& m_source;
  uint8_t m_bytes[256] = {};
};

}  // namespace tandem::virtio

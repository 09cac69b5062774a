// SPDX-License-Identifier: Apache-2.0
// virtio-console (virtio 1.2 5.3) with one port and no feature bits: queue 0 receives (the
// driver's empty buffers wait for host input), queue 1 transmits (every device-readable byte
// goes to the host's CharSink, in order). Linux names it hvc0.
#pragma once

#include "devices/char_sink.h"
#include "devices/virtio/virtio_device.h"

namespace tandem::virtio {

class Console final : public VirtioDevice {
 public:
  static constexpr unsigned kReceiveQueue = 0;
  static constexpr unsigned kTransmitQueue = 1;

  explicit Console(CharSink& out) : m_out(out) {}

  const char* name() const override { return "virtio-console"; }
  DeviceId device_id() const override { return DeviceId::kConsole; }
  uint64_t device_features() const override { return 0; }
  unsigned queue_count() const override { return 2; }
  // 5.3.4: cols, rows, max_nr_ports, emerg_wr are only there with features not offered.
  uint32_t config_read(uint32_t, unsigned) const override { return 0; }
  [[nodiscard]] Result<void> process(unsigned index, Virtqueue& queue) override;

 private:
  CharSink& m_out;
  uint8_t m_bytes[256] = {};
};

}  // namespace tandem::virtio

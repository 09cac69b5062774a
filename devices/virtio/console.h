// SPDX-License-Identifier: Apache-2.0
// virtio-console (virtio 1.2 5.3) with one port and no feature bits: queue 0 receives (host
// input waits in a small buffer until the driver has made receive buffers available; the
// board stops taking input while it is full), queue 1 transmits (every device-readable byte
// goes to the host's CharSink, in order). Linux names it hvc0.
//
// Input reaches whichever open of hvc0 exists when it arrives: Linux's tty keeps a line typed
// while only a writer (`echo x >/dev/hvc0`) holds hvc0 open in that open's buffer and drops it
// at the writer's close, so a reader that opens hvc0 afterwards waits for good. QEMU's
// virtconsole does the same (tests/realguests: the virtio case opens the reader first).
#pragma once

#include "devices/char_sink.h"
#include "devices/virtio/virtio_device.h"

namespace tandem::virtio {

class Console final : public VirtioDevice {
 public:
  static constexpr unsigned kReceiveQueue = 0;
  static constexpr unsigned kTransmitQueue = 1;

  static constexpr unsigned kInputBytes = 64;

  explicit Console(CharSink& out) : m_out(out) {}

  // Host input: whether another byte fits, and taking it (the transport then runs the receive
  // queue).
  bool can_receive() const { return m_input_count < kInputBytes; }
  void push_rx(uint8_t c);

  const char* name() const override { return "virtio-console"; }
  DeviceId device_id() const override { return DeviceId::kConsole; }
  uint64_t device_features() const override { return 0; }
  unsigned queue_count() const override { return 2; }
  // 5.3.4: cols, rows, max_nr_ports, emerg_wr are only there with features not offered.
  uint32_t config_read(uint32_t, unsigned) const override { return 0; }
  [[nodiscard]] Result<void> process(unsigned index, Virtqueue& queue) override;

 private:
  Result<void> receive(Virtqueue& queue);
  Result<void> transmit(Virtqueue& queue);

  CharSink& m_out;
  uint8_t m_bytes[256] = {};
  uint8_t m_input[kInputBytes] = {};
  unsigned m_input_head = 0;  // the oldest byte
  unsigned m_input_count = 0;
};

}  // namespace tandem::virtio

// SPDX-License-Identifier: Apache-2.0
// virtio-net (virtio 1.2 5.1) with one queue pair and only VIRTIO_NET_F_MAC: queue 0 receives,
// queue 1 transmits, and every buffer starts with the 12-byte struct virtio_net_hdr (5.1.6; no
// checksum offload, no segmentation, so the device writes a header of zeros with num_buffers 1
// and ignores the driver's). Frames go to and come from a NetBackend.
//
// Transmit: a buffer holding more than a header and kMaxFrame bytes, or less than a header and
// an Ethernet header, is dropped (returned used, counted in tx_dropped). Receive: a frame waits
// in the device until the driver makes a buffer available; a buffer too small for header and
// frame, or one with device-readable bytes, is returned with nothing written and the frame is
// dropped (rx_dropped), as 5.1.6.3.1 asks drivers for buffers of at least 1526 bytes.
#pragma once

#include <cstdint>

#include "devices/virtio/net_backend.h"
#include "devices/virtio/virtio_device.h"

namespace tandem::virtio {

class Net final : public VirtioDevice {
 public:
  static constexpr unsigned kReceiveQueue = 0;
  static constexpr unsigned kTransmitQueue = 1;
  static constexpr uint64_t kFMac = uint64_t{1} << 5;  // 5.1.3 VIRTIO_NET_F_MAC
  static constexpr uint32_t kHeaderSize = 12;          // struct virtio_net_hdr with VERSION_1
  static constexpr uint32_t kEthernetHeader = 14;
  // 1500 bytes of payload, the Ethernet header and a VLAN tag.
  static constexpr uint32_t kMaxFrame = 1518;

  Net(NetBackend& backend, const uint8_t (&mac)[6]);

  const char* name() const override { return "virtio-net"; }
  DeviceId device_id() const override { return DeviceId::kNet; }
  uint64_t device_features() const override { return kFMac; }
  unsigned queue_count() const override { return 2; }
  // 5.1.4: mac[6] (the rest is only there with features not offered).
  uint32_t config_read(uint32_t offset, unsigned size) const override;
  void reset() override { m_rx_length = 0; }
  uint32_t host_pending() override;
  [[nodiscard]] Result<void> process(unsigned index, Virtqueue& queue) override;

  uint64_t rx_dropped() const { return m_rx_dropped; }
  uint64_t tx_dropped() const { return m_tx_dropped; }

 private:
  Result<void> receive(Virtqueue& queue);
  Result<void> transmit(Virtqueue& queue);

  NetBackend& m_backend;
  uint8_t m_mac[6];
  uint8_t m_rx[kMaxFrame] = {};
  uint32_t m_rx_length = 0;  // a frame waiting for a receive buffer
  uint8_t m_tx[kHeaderSize + kMaxFrame] = {};
  uint64_t m_rx_dropped = 0;
  uint64_t m_tx_dropped = 0;
};

}  // namespace tandem::virtio

// SPDX-License-Identifier: Apache-2.0
#include "devices/virtio/net.h"

#include "core/base/le_bytes.h"

namespace tandem::virtio {
namespace {

constexpr uint32_t kConfigSize = 6;         // mac
constexpr uint32_t kHeaderNumBuffers = 10;  // le16 num_buffers in struct virtio_net_hdr

}  // namespace

Net::Net(NetBackend& backend, const uint8_t (&mac)[6]) : m_backend(backend) {
  for (unsigned i = 0; i < 6; i++) m_mac[i] = mac[i];
}

uint32_t Net::config_read(uint32_t offset, unsigned size) const {
  if (offset >= kConfigSize || size > kConfigSize - offset) return 0;
  return static_cast<uint32_t>(load_le(m_mac + offset, size));
}

uint32_t Net::host_pending() {
  if (m_rx_length == 0) m_rx_length = static_cast<uint32_t>(m_backend.receive(m_rx));
  return m_rx_length != 0 ? 1u << kReceiveQueue : 0;
}

Result<void> Net::process(unsigned index, Virtqueue& queue) {
  return index == kTransmitQueue ? transmit(queue) : receive(queue);
}

Result<void> Net::receive(Virtqueue& queue) {
  DescChain chain;
  while (host_pending() != 0 && TRY(queue.pop(chain))) {
    const uint32_t length = m_rx_length;
    m_rx_length = 0;
    if (chain.readable() != 0 || chain.writable() < kHeaderSize + length) {
      m_rx_dropped++;
      TRY(queue.push(chain.head(), 0));
      continue;
    }
    uint8_t header[kHeaderSize] = {};
    store_le(header + kHeaderNumBuffers, 1, 2);
    TRY(chain.write(header));
    TRY(chain.write({m_rx, length}));
    TRY(queue.push(chain.head(), chain.written()));
  }
  return ok();
}

Result<void> Net::transmit(Virtqueue& queue) {
  DescChain chain;
  while (TRY(queue.pop(chain))) {
    const uint32_t size = chain.readable();
    if (size < kHeaderSize + kEthernetHeader || size > sizeof m_tx) {
      m_tx_dropped++;
    } else {
      TRY(chain.read({m_tx, size}));
      m_backend.send({m_tx + kHeaderSize, size - kHeaderSize});
    }
    TRY(queue.push(chain.head(), 0));
  }
  return ok();
}

}  // namespace tandem::virtio

// SPDX-License-Identifier: Apache-2.0
#include "devices/virtio/console.h"

namespace tandem::virtio {

void Console::push_rx(uint8_t c) {
  if (!can_receive()) return;
  m_input[(m_input_head + m_input_count) % kInputBytes] = c;
  m_input_count++;
}

Result<void> Console::process(unsigned index, Virtqueue& queue) {
  return index == kTransmitQueue ? transmit(queue) : receive(queue);
}

// Fills receive buffers with waiting input; buffers stay available while there is none.
Result<void> Console::receive(Virtqueue& queue) {
  DescChain chain;
  while (m_input_count > 0 && TRY(queue.pop(chain))) {
    while (m_input_count > 0) {
      const unsigned run = m_input_head + m_input_count <= kInputBytes
                               ? m_input_count
                               : kInputBytes - m_input_head;  // up to the buffer's wrap
      const uint32_t n = TRY(chain.write({m_input + m_input_head, run}));
      m_input_head = (m_input_head + n) % kInputBytes;
      m_input_count -= n;
      if (n < run) break;  // the driver's buffer is full
    }
    TRY(queue.push(chain.head(), chain.written()));
  }
  return ok();
}

Result<void> Console::transmit(Virtqueue& queue) {
  DescChain chain;
  while (TRY(queue.pop(chain))) {
    for (;;) {
      const uint32_t n = TRY(chain.read(m_bytes));
      for (uint32_t i = 0; i < n; i++) m_out.put(m_bytes[i]);
      if (n < sizeof m_bytes) break;
    }
    TRY(queue.push(chain.head(), 0));
  }
  return ok();
}

}  // namespace tandem::virtio

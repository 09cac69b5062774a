// SPDX-License-Identifier: Apache-2.0
#include "devices/virtio/console.h"

namespace tandem::virtio {

Result<void> Console::process(unsigned index, Virtqueue& queue) {
  // Receive buffers stay available until there is input for them.
  if (index != kTransmitQueue) return ok();
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

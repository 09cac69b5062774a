// SPDX-License-Identifier: Apache-2.0
#include "devices/virtio/entropy.h"

#include "core/base/log.h"

namespace tandem::virtio {

Result<void> Entropy::process(unsigned index, Virtqueue& queue) {
  (void)index;
  DescChain chain;
  while (TRY(queue.pop(chain))) {
    uint32_t left = chain.readable() == 0 ? chain.writable() : 0;
    while (left > 0) {
      const uint32_t n = left < sizeof m_bytes ? left : sizeof m_bytes;
      if (!m_source.fill({m_bytes, n})) {
        TLOG_WARN("virtio-rng: the entropy source failed; the buffer is returned short");
        break;
      }
      TRY(chain.write({m_bytes, n}));
      left -= n;
    }
    TRY(queue.push(chain.head(), chain.written()));
  }
  return ok();
}

}  // namespace tandem::virtio

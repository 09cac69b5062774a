// SPDX-License-Identifier: Apache-2.0
// A split virtqueue (virtio 1.2 2.7) as the device side sees it: the driver's descriptor
// table, available ring and used ring in guest memory, reached only through GuestMemory.
//
//   descriptor area  16 bytes x size                      (2.7.5)
//   driver area      flags, idx, ring[size], used_event   (2.7.6, le16 each)
//   device area      flags, idx, {id, len}[size], avail_event  (2.7.8)
//
// With VIRTIO_F_EVENT_IDX the device writes avail_event after each buffer it takes and
// interrupts only when the used index passes the driver's used_event (2.7.7.2, 2.7.10);
// without it, VIRTQ_AVAIL_F_NO_INTERRUPT suppresses interrupts. An available index more than
// `size` ahead of the last buffer taken, or a head outside the table, is a broken driver:
// pop() fails and the transport sets NEEDS_RESET.
#pragma once

#include <cstdint>

#include "core/base/result.h"
#include "core/mm/guest_memory.h"
#include "devices/virtio/desc_chain.h"

namespace tandem::virtio {

// What the driver programmed through the transport for one queue.
struct QueueConfig {
  uint16_t size = 0;
  uint64_t desc = 0;
  uint64_t driver = 0;
  uint64_t device = 0;
};

class Virtqueue {
 public:
  // Largest queue a Tandem device offers (QueueNumMax).
  static constexpr uint16_t kMaxSize = 256;

  // Starts the queue on what the driver programmed, with the features it negotiated.
  // kInvalidArgument for a size of 0 or above kMaxSize or misaligned areas (2.7: 16, 2 and 4
  // bytes), kNotMapped/kPermission when an area is not guest RAM.
  [[nodiscard]] Result<void> start(GuestMemory& mem, const QueueConfig& config, bool indirect,
                                   bool event_idx);
  void stop();
  bool running() const { return m_mem != nullptr; }

  // The next available buffer into `chain`; false when the driver has made none available.
  [[nodiscard]] Result<bool> pop(DescChain& chain);
  // Returns buffer `head` to the driver with `written` bytes written into it.
  [[nodiscard]] Result<void> push(uint16_t head, uint32_t written);
  // Whether the driver wants an interrupt for the buffers pushed since the last call.
  [[nodiscard]] Result<bool> take_interrupt();

 private:
  uint64_t avail_ring(uint32_t i) const { return m_config.driver + 4 + 2 * uint64_t{i}; }
  uint64_t used_ring(uint32_t i) const { return m_config.device + 4 + 8 * uint64_t{i}; }

  GuestMemory* m_mem = nullptr;
  QueueConfig m_config;
  DescTable m_table;
  bool m_event_idx = false;
  uint16_t m_last_avail = 0;
  uint16_t m_used = 0;
  uint16_t m_signalled = 0;  // the used index at the last interrupt decision
  bool m_signalled_valid = false;
};

}  // namespace tandem::virtio

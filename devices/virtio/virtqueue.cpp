// SPDX-License-Identifier: Apache-2.0
#include "devices/virtio/virtqueue.h"

#include <atomic>

#include "devices/virtio/virtio_spec.h"

namespace tandem::virtio {
namespace {

// 2.7.10.1 vring_need_event: whether the used index moving from `old_idx` to `new_idx`
// passed `event`.
bool need_event(uint16_t event, uint16_t new_idx, uint16_t old_idx) {
  return static_cast<uint16_t>(new_idx - event - 1) < static_cast<uint16_t>(new_idx - old_idx);
}

// Reads a byte of every page of [addr, addr + size): the area must be guest RAM.
Result<void> check_area(GuestMemory& mem, uint64_t addr, uint64_t size) {
  if (addr + size < addr) return Error(Status::kOutOfRange);
  for (uint64_t off = 0; off < size; off += 4096 - ((addr + off) & 4095))
    TRY(mem.read_obj<uint8_t>(Gpa(addr + off)));
  TRY(mem.read_obj<uint8_t>(Gpa(addr + size - 1)));
  return ok();
}

}  // namespace

Result<void> Virtqueue::start(GuestMemory& mem, const QueueConfig& config, bool indirect,
                              bool event_idx) {
  stop();
  const uint64_t n = config.size;
  if (n == 0 || n > kMaxSize || config.desc % 16 != 0 || config.driver % 2 != 0 ||
      config.device % 4 != 0)
    return Error(Status::kInvalidArgument);
  TRY(check_area(mem, config.desc, 16 * n));
  TRY(check_area(mem, config.driver, 6 + 2 * n));
  TRY(check_area(mem, config.device, 6 + 8 * n));
  m_mem = &mem;
  m_config = config;
  m_table = {config.desc, config.size, indirect};
  m_event_idx = event_idx;
  return ok();
}

void Virtqueue::stop() {
  m_mem = nullptr;
  m_last_avail = 0;
  m_used = 0;
  m_signalled = 0;
  m_signalled_valid = false;
}

Result<bool> Virtqueue::pop(DescChain& chain) {
  if (m_mem == nullptr) return false;
  const uint16_t avail = TRY(m_mem->read_obj<uint16_t>(Gpa(m_config.driver + 2)));
  const uint16_t pending = static_cast<uint16_t>(avail - m_last_avail);
  if (pending == 0) return false;
  // 2.7.13.3: the driver never has more than `size` buffers outstanding.
  if (pending > m_config.size) return Error(Status::kOutOfRange);
  // Read the ring entry only after the index that published it.
  std::atomic_thread_fence(std::memory_order_acquire);
  const uint16_t head =
      TRY(m_mem->read_obj<uint16_t>(Gpa(avail_ring(m_last_avail % m_config.size))));
  m_last_avail++;
  if (m_event_idx)  // ask to be notified of the next buffer (2.7.10)
    TRY(m_mem->write_obj<uint16_t>(Gpa(used_ring(m_config.size)), m_last_avail));
  TRY(chain.open(*m_mem, m_table, head));
  return true;
}

Result<void> Virtqueue::push(uint16_t head, uint32_t written) {
  if (m_mem == nullptr) return Error(Status::kInvalidArgument);
  const uint32_t elem[2] = {head, written};
  TRY(m_mem->write_obj(Gpa(used_ring(m_used % m_config.size)), elem));
  // The element must be visible before the index that publishes it (2.7.8.2).
  std::atomic_thread_fence(std::memory_order_release);
  m_used++;
  return m_mem->write_obj<uint16_t>(Gpa(m_config.device + 2), m_used);
}

Result<bool> Virtqueue::take_interrupt() {
  if (m_mem == nullptr) return false;
  // The used index written before the driver's suppression fields are read.
  std::atomic_thread_fence(std::memory_order_seq_cst);
  if (!m_event_idx) {
    const uint16_t flags = TRY(m_mem->read_obj<uint16_t>(Gpa(m_config.driver)));
    const bool want = m_used != m_signalled && (flags & kAvailFNoInterrupt) == 0;
    m_signalled = m_used;
    return want;
  }
  const uint16_t used_event = TRY(m_mem->read_obj<uint16_t>(Gpa(avail_ring(m_config.size))));
  const bool valid = m_signalled_valid;
  const uint16_t old_idx = m_signalled;
  m_signalled = m_used;
  m_signalled_valid = true;
  if (m_used == old_idx) return false;  // nothing new since the last decision
  return !valid || need_event(used_event, m_used, old_idx);
}

}  // namespace tandem::virtio

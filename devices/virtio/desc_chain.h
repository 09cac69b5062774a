// SPDX-License-Identifier: Apache-2.0
// One buffer a driver made available on a split virtqueue: a descriptor chain (virtio 1.2
// 2.7.5), directly in the descriptor table or through an indirect table (2.7.5.3), read and
// written front to back. Every descriptor is read through GuestMemory (never a pointer built
// from a guest address), and a chain that loops, is longer than its table, nests indirect
// tables, has a device-readable descriptor after a writable one or lengths whose sum wraps is
// malformed: open() fails and the caller puts the device in NEEDS_RESET.
#pragma once

#include <cstdint>
#include <span>

#include "core/base/result.h"
#include "core/mm/guest_memory.h"

namespace tandem::virtio {

// 2.7.5: struct virtq_desc.
struct Descriptor {
  uint64_t addr;
  uint32_t len;
  uint16_t flags;
  uint16_t next;
};
static_assert(sizeof(Descriptor) == 16);

// Where a queue's descriptor table is and what the driver negotiated for it.
struct DescTable {
  uint64_t addr = 0;
  uint16_t size = 0;
  bool indirect = false;  // VIRTIO_F_INDIRECT_DESC negotiated
};

class DescChain {
 public:
  // Largest indirect table accepted (Linux uses at most its queue size).
  static constexpr uint32_t kMaxIndirect = 1024;

  // Walks the chain starting at descriptor `head` once to check it and count its bytes.
  [[nodiscard]] Result<void> open(GuestMemory& mem, const DescTable& table, uint16_t head);

  uint16_t head() const { return m_head; }
  uint32_t readable() const { return m_readable; }  // bytes in device-readable descriptors
  uint32_t writable() const { return m_writable; }  // bytes in device-writable descriptors

  // Sequential access: read() takes the next bytes of the readable part (fewer at its end;
  // the count read), write() puts bytes into the writable part after what was written
  // before (fewer at its end), skip_writable() moves past writable bytes without writing.
  [[nodiscard]] Result<uint32_t> read(std::span<uint8_t> out);
  [[nodiscard]] Result<uint32_t> write(std::span<const uint8_t> in);
  [[nodiscard]] Result<uint32_t> skip_writable(uint32_t count);
  // How far into the writable part the cursor is (bytes written or skipped).
  uint32_t written() const { return m_written; }

 private:
  // Iterates the chain's descriptors, following one indirect table.
  class Walker {
   public:
    void start(GuestMemory& mem, const DescTable& table, uint16_t head);
    // The next descriptor in `d`; false after the last.
    [[nodiscard]] Result<bool> next(Descriptor& d);

   private:
    GuestMemory* m_mem = nullptr;
    DescTable m_table;
    uint64_t m_at = 0;     // the table being walked (the queue's, or an indirect one)
    uint32_t m_count = 0;  // its entries
    uint32_t m_steps = 0;  // descriptors taken from it: more than m_count is a loop
    uint16_t m_next = 0;
    bool m_more = false;
    bool m_in_indirect = false;
  };

  // Moves the cursor to a descriptor with bytes left of the kind asked for (false at the end).
  Result<bool> advance(bool writable);
  Result<uint32_t> copy(bool writable, uint8_t* out, const uint8_t* in, uint32_t count);

  GuestMemory* m_mem = nullptr;
  DescTable m_table;
  uint16_t m_head = 0;
  uint32_t m_readable = 0;
  uint32_t m_writable = 0;
  uint32_t m_written = 0;
  Walker m_walker;
  Descriptor m_cur{};
  uint32_t m_cur_off = 0;
  bool m_cur_valid = false;
  bool m_end = false;
};

}  // namespace tandem::virtio

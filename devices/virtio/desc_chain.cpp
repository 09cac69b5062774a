// SPDX-License-Identifier: Apache-2.0
#include "devices/virtio/desc_chain.h"

#include "devices/virtio/virtio_spec.h"

namespace tandem::virtio {

void DescChain::Walker::start(GuestMemory& mem, const DescTable& table, uint16_t head) {
  m_mem = &mem;
  m_table = table;
  m_at = table.addr;
  m_count = table.size;
  m_steps = 0;
  m_next = head;
  m_more = true;
  m_in_indirect = false;
}

Result<bool> DescChain::Walker::next(Descriptor& d) {
  for (;;) {
    if (!m_more) return false;
    // 2.7.5.2: a chain never has more descriptors than its table (else it loops).
    if (m_next >= m_count || ++m_steps > m_count) return Error(Status::kOutOfRange);
    d = TRY(m_mem->read_obj<Descriptor>(Gpa(m_at + uint64_t{m_next} * sizeof(Descriptor))));
    if ((d.flags & kDescFIndirect) == 0) {
      m_more = (d.flags & kDescFNext) != 0;
      m_next = d.next;
      return true;
    }
    // 2.7.5.3.1: only with the feature, never nested, never with NEXT, a whole number of
    // descriptors.
    if (m_in_indirect || !m_table.indirect || (d.flags & kDescFNext) != 0 || d.len == 0 ||
        d.len % sizeof(Descriptor) != 0 || d.len / sizeof(Descriptor) > kMaxIndirect)
      return Error(Status::kInvalidArgument);
    m_at = d.addr;
    m_count = d.len / sizeof(Descriptor);
    m_steps = 0;
    m_next = 0;
    m_in_indirect = true;
  }
}

Result<void> DescChain::open(GuestMemory& mem, const DescTable& table, uint16_t head) {
  m_mem = &mem;
  m_table = table;
  m_head = head;
  Walker walk;
  walk.start(mem, table, head);
  uint64_t readable = 0;
  uint64_t writable = 0;
  Descriptor d{};
  while (TRY(walk.next(d))) {
    if (d.addr + d.len < d.addr) return Error(Status::kOutOfRange);
    if ((d.flags & kDescFWrite) != 0) {
      writable += d.len;
    } else {
      // 2.7.4.2: device-readable descriptors come before device-writable ones.
      if (writable != 0) return Error(Status::kInvalidArgument);
      readable += d.len;
    }
    if (readable > UINT32_MAX || writable > UINT32_MAX) return Error(Status::kOutOfRange);
  }
  m_readable = static_cast<uint32_t>(readable);
  m_writable = static_cast<uint32_t>(writable);
  m_written = 0;
  m_walker.start(mem, table, head);
  m_cur_valid = false;
  m_cur_off = 0;
  m_end = false;
  return ok();
}

Result<bool> DescChain::advance(bool writable) {
  for (;;) {
    if (m_cur_valid && m_cur_off < m_cur.len) {
      const bool w = (m_cur.flags & kDescFWrite) != 0;
      if (w == writable) return true;
      if (!writable) return false;  // the readable part has ended
      m_cur_off = m_cur.len;        // writing: pass over what is left of the readable part
      continue;
    }
    if (m_end) return false;
    Descriptor d{};
    if (!TRY(m_walker.next(d))) {
      m_end = true;
      m_cur_valid = false;
      return false;
    }
    m_cur = d;
    m_cur_off = 0;
    m_cur_valid = true;
  }
}

// Guest memory is only touched through GuestMemory: a descriptor whose bytes are not all
// guest RAM fails the copy, and with it the request.
Result<uint32_t> DescChain::copy(bool writable, uint8_t* out, const uint8_t* in, uint32_t count) {
  uint32_t done = 0;
  while (done < count) {
    if (!TRY(advance(writable))) break;
    const uint32_t left = m_cur.len - m_cur_off;
    const uint32_t chunk = count - done < left ? count - done : left;
    const Gpa at(m_cur.addr + m_cur_off);
    if (!writable) {
      TRY(m_mem->read(at, {out + done, chunk}));
    } else {
      if (in != nullptr) TRY(m_mem->write(at, {in + done, chunk}));
      m_written += chunk;
    }
    m_cur_off += chunk;
    done += chunk;
  }
  return done;
}

Result<uint32_t> DescChain::read(std::span<uint8_t> out) {
  return copy(false, out.data(), nullptr, static_cast<uint32_t>(out.size()));
}

Result<uint32_t> DescChain::write(std::span<const uint8_t> in) {
  return copy(true, nullptr, in.data(), static_cast<uint32_t>(in.size()));
}

Result<uint32_t> DescChain::skip_writable(uint32_t count) {
  return copy(true, nullptr, nullptr, count);
}

}  // namespace tandem::virtio

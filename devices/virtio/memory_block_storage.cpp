// SPDX-License-Identifier: Apache-2.0
#include "devices/virtio/memory_block_storage.h"

namespace tandem::virtio {

Result<void> MemoryBlockStorage::read(uint64_t offset, std::span<uint8_t> out) {
  if (!inside(offset, out.size())) return Error(Status::kOutOfRange);
  __builtin_memcpy(out.data(), m_bytes.data() + offset, out.size());
  return ok();
}

Result<void> MemoryBlockStorage::write(uint64_t offset, std::span<const uint8_t> in) {
  if (m_read_only) return Error(Status::kPermission);
  if (!inside(offset, in.size())) return Error(Status::kOutOfRange);
  __builtin_memcpy(m_bytes.data() + offset, in.data(), in.size());
  return ok();
}

Result<void> MemoryBlockStorage::write_zeroes(uint64_t offset, uint64_t size) {
  if (m_read_only) return Error(Status::kPermission);
  if (!inside(offset, size)) return Error(Status::kOutOfRange);
  __builtin_memset(m_bytes.data() + offset, 0, size);
  return ok();
}

}  // namespace tandem::virtio

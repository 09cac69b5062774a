// SPDX-License-Identifier: Apache-2.0
#include "core/mm/guest_memory.h"

namespace tandem {

Result<void> GuestMemory::read(Gpa gpa, std::span<uint8_t> out) {
  return access(gpa, out.size(), {out.data(), nullptr, 0});
}

Result<void> GuestMemory::write(Gpa gpa, std::span<const uint8_t> in) {
  return access(gpa, in.size(), {nullptr, in.data(), 0});
}

Result<void> GuestMemory::fill(Gpa gpa, uint64_t size, uint8_t byte) {
  return access(gpa, size, {nullptr, nullptr, byte});
}

// The host address of `gpa` if it is mapped normal memory; the byte's page is contiguous
// from there to the end of the 4 KiB page.
Result<uint8_t*> GuestMemory::host_page(Gpa gpa) const {
  const Translation t = TRY(m_space->stage2().translate(gpa));
  if (t.flags.kind != MemKind::kNormal) return Error(Status::kPermission);
  return to_ptr<uint8_t>(m_space->allocator().phys_to_virt(t.hpa));
}

// Classifies every page of the range before anything is copied, then backs the on-demand
// pages among them.
Result<void> GuestMemory::check(Gpa gpa, uint64_t size) {
  bool on_demand = false;
  for (uint64_t done = 0; done < size;) {
    const Gpa g = gpa + done;
    const auto t = m_space->stage2().translate(g);
    if (t && t->flags.kind != MemKind::kNormal) return Error(Status::kPermission);
    if (!t) {
      const Region* r = m_space->find(g);
      if (r == nullptr) return Error(Status::kNotMapped);
      if (r->kind != RegionKind::kRam) return Error(Status::kPermission);
      if (r->backing != RamBacking::kOnDemand) return Error(Status::kNotMapped);
      on_demand = true;
    }
    done += kFrameSize - g.page_offset();
  }
  if (on_demand) TRY(m_space->populate(gpa, size));
  return ok();
}

Result<void> GuestMemory::access(Gpa gpa, uint64_t size, const Copy& copy) {
  if (size == 0) return ok();
  if (gpa.raw() + (size - 1) < gpa.raw()) return Error(Status::kOutOfRange);
  // Most device accesses stay inside one mapped page: one walk, no separate check pass.
  if (gpa.page_offset() + size <= kFrameSize) {
    if (auto host = host_page(gpa)) {
      apply(*host, 0, size, copy);
      return ok();
    }
  }
  TRY(check(gpa, size));
  for (uint64_t done = 0; done < size;) {
    const Gpa g = gpa + done;
    const uint64_t left_in_page = kFrameSize - g.page_offset();
    const uint64_t chunk = size - done < left_in_page ? size - done : left_in_page;
    apply(TRY(host_page(g)), done, chunk, copy);
    done += chunk;
  }
  return ok();
}

void GuestMemory::apply(uint8_t* host, uint64_t done, uint64_t chunk, const Copy& copy) {
  if (copy.dst != nullptr) {
    __builtin_memcpy(copy.dst + done, host, chunk);
  } else if (copy.src != nullptr) {
    __builtin_memcpy(host, copy.src + done, chunk);
  } else {
    __builtin_memset(host, copy.byte, chunk);
  }
}

}  // namespace tandem

// SPDX-License-Identifier: Apache-2.0
#include "core/mm/address_space.h"

namespace tandem {

Result<AddressSpace> AddressSpace::create(FrameAllocator& alloc, const Stage2Config& config) {
  Stage2Table table = TRY(Stage2Table::create(alloc, config));
  return AddressSpace(alloc, std::move(table));
}

AddressSpace::AddressSpace(AddressSpace&& other) noexcept
    : m_alloc(std::exchange(other.m_alloc, nullptr)),
      m_stage2(std::move(other.m_stage2)),
      m_regions(other.m_regions),
      m_count(std::exchange(other.m_count, 0)) {}

AddressSpace& AddressSpace::operator=(AddressSpace&& other) noexcept {
  if (this != &other) {
    release();
    m_alloc = std::exchange(other.m_alloc, nullptr);
    m_stage2 = std::move(other.m_stage2);
    m_regions = other.m_regions;
    m_count = std::exchange(other.m_count, 0);
  }
  return *this;
}

AddressSpace::~AddressSpace() { release(); }

// Frees RAM frames this address space allocated; the stage-2 table frees its own frames.
void AddressSpace::release() {
  if (m_alloc == nullptr) return;
  for (const Region& r : regions()) {
    if (r.backing == RamBacking::kOwned) m_alloc->free_frames(r.hpa, r.size / kFrameSize);
    if (r.backing != RamBacking::kOnDemand) continue;
    // Leaf by leaf: a 2 MiB block goes back as the run it was allocated as.
    for (Gpa g = r.base; g < r.end();) {
      const auto t = m_stage2.translate(g);
      if (!t) {
        g += kFrameSize;
        continue;
      }
      const uint64_t offset = g.raw() & (t->page_size - 1);
      m_alloc->free_frames(t->hpa - offset, t->page_size / kFrameSize);
      g += t->page_size - offset;
    }
  }
  m_count = 0;
  m_alloc = nullptr;
}

// Validates a new region and returns the index that keeps the list sorted by base.
Result<size_t> AddressSpace::slot_for(Gpa base, uint64_t size) const {
  if (size == 0) return Error(Status::kInvalidArgument);
  if (!base.is_aligned(kFrameSize) || size % kFrameSize != 0) return Error(Status::kUnaligned);
  const uint64_t limit = m_stage2.ipa_limit();
  if (base.raw() >= limit || size > limit - base.raw()) return Error(Status::kOutOfRange);
  size_t slot = 0;
  while (slot < m_count && m_regions[slot].base < base) ++slot;
  if (slot < m_count && m_regions[slot].base < base + size) return Error(Status::kOverlap);
  if (slot > 0 && m_regions[slot - 1].end() > base) return Error(Status::kOverlap);
  if (m_count == kMaxRegions) return Error(Status::kCapacity);
  return slot;
}

void AddressSpace::insert(size_t slot, const Region& region) {
  for (size_t i = m_count; i > slot; --i) m_regions[i] = m_regions[i - 1];
  m_regions[slot] = region;
  ++m_count;
}

Result<void> AddressSpace::add_ram(Gpa base, uint64_t size, Hpa backing, MemFlags flags) {
  return add_ram_mapped({base, size, RegionKind::kRam, RamBacking::kLinear, flags, backing}, false);
}

Result<void> AddressSpace::add_ram_alloc(Gpa base, uint64_t size, MemFlags flags) {
  TRY(slot_for(base, size));
  const Hpa backing = TRY(alloc_backing(base, size));
  return add_ram_mapped({base, size, RegionKind::kRam, RamBacking::kOwned, flags, backing}, true);
}

// Maps a contiguous RAM region, then records it; on failure frees owned backing.
Result<void> AddressSpace::add_ram_mapped(const Region& region, bool owned) {
  auto added = [&]() -> Result<void> {
    const size_t slot = TRY(slot_for(region.base, region.size));
    TRY(m_stage2.map(region.base, region.hpa, region.size, region.flags));
    insert(slot, region);
    return ok();
  }();
  if (!added && owned) m_alloc->free_frames(region.hpa, region.size / kFrameSize);
  return added;
}

// Contiguous frames, aligned like the guest address up to 1 GiB so stage 2 can use the
// largest leaves; an allocator that cannot give the alignment is asked for less.
Result<Hpa> AddressSpace::alloc_backing(Gpa base, uint64_t size) {
  const size_t frames = size / kFrameSize;
  for (uint64_t align : std::array{kPageSize1G, kPageSize2M}) {
    if (!base.is_aligned(align) || size < align) continue;
    if (auto hpa = m_alloc->alloc_frames(frames, align / kFrameSize)) return hpa;
  }
  return m_alloc->alloc_frames(frames, 1);
}

Result<void> AddressSpace::add_ram_on_demand(Gpa base, uint64_t size, MemFlags flags,
                                             uint8_t fill) {
  const size_t slot = TRY(slot_for(base, size));
  if (!flags.read) return Error(Status::kInvalidArgument);
  insert(slot, {base, size, RegionKind::kRam, RamBacking::kOnDemand, flags, Hpa(), fill});
  return ok();
}

Result<void> AddressSpace::add_mmio(Gpa base, uint64_t size) {
  const size_t slot = TRY(slot_for(base, size));
  insert(slot, {base, size, RegionKind::kMmio, RamBacking::kNone, MemFlags{}, Hpa()});
  return ok();
}

Result<void> AddressSpace::add_reserved(Gpa base, uint64_t size) {
  const size_t slot = TRY(slot_for(base, size));
  insert(slot, {base, size, RegionKind::kReserved, RamBacking::kNone, MemFlags{}, Hpa()});
  return ok();
}

const Region* AddressSpace::find(Gpa gpa) const {
  // Binary search for the last region starting at or below gpa.
  size_t lo = 0;
  size_t hi = m_count;
  while (lo < hi) {
    const size_t mid = lo + (hi - lo) / 2;
    if (m_regions[mid].base <= gpa) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  if (lo == 0 || !m_regions[lo - 1].contains(gpa)) return nullptr;
  return &m_regions[lo - 1];
}

Result<Hva> AddressSpace::host_address(const Region& region) const {
  if (!region.contiguous()) return Error(Status::kUnsupported);
  return m_alloc->phys_to_virt(region.hpa);
}

Result<void> AddressSpace::populate(Gpa gpa, uint64_t size) {
  if (size == 0) return ok();
  const Gpa first = gpa.align_down(kFrameSize);
  if (gpa.raw() + (size - 1) < gpa.raw()) return Error(Status::kOutOfRange);
  const Gpa last = (gpa + (size - 1)).align_down(kFrameSize);
  for (Gpa page = first;; page += kFrameSize) {
    if (!m_stage2.translate(page)) {
      const Region* r = find(page);
      if (r == nullptr) return Error(Status::kNotMapped);
      if (r->backing != RamBacking::kOnDemand) {
        return Error(r->kind == RegionKind::kRam ? Status::kNotMapped : Status::kPermission);
      }
      TRY(populate_page(*r, page));
    }
    if (page == last) return ok();
  }
}

Result<void> AddressSpace::populate_page(const Region& region, Gpa page) {
  if (populate_block(region, page)) return ok();
  const Hpa frame = TRY(m_alloc->alloc_frame());
  fill(region, frame, kFrameSize);
  auto mapped = m_stage2.map(page, frame, kFrameSize, region.flags);
  if (!mapped) m_alloc->free_frame(frame);
  return mapped;
}

// Frames come zeroed from the allocator; RAM that reads as something else is filled.
void AddressSpace::fill(const Region& region, Hpa frames, uint64_t size) {
  if (region.fill != 0)
    __builtin_memset(to_ptr<uint8_t>(m_alloc->phys_to_virt(frames)), region.fill, size);
}

// The 2 MiB block around `page`, if it fits the region and is wholly unmapped (a block where an
// earlier fallback mapped 4 KiB pages stays on 4 KiB pages), in one aligned run of frames.
bool AddressSpace::populate_block(const Region& region, Gpa page) {
  const Gpa block = page.align_down(kPageSize2M);
  if (block < region.base || region.end() - block < kPageSize2M) return false;
  for (Gpa g = block; g < block + kPageSize2M; g += kFrameSize) {
    if (m_stage2.translate(g)) return false;
  }
  constexpr size_t kFrames = kPageSize2M / kFrameSize;
  const auto frames = m_alloc->alloc_frames(kFrames, kFrames);
  if (!frames) return false;
  fill(region, *frames, kPageSize2M);
  if (m_stage2.map(block, *frames, kPageSize2M, region.flags)) return true;
  m_alloc->free_frames(*frames, kFrames);
  return false;
}

}  // namespace tandem

// SPDX-License-Identifier: Apache-2.0
// A guest's physical address space: a fixed-capacity, sorted list of regions (RAM, MMIO holes,
// reserved ranges) and the stage-2 table that maps the RAM. MMIO holes are left unmapped so
// guest accesses fault to the VM for device emulation. Frames the address space allocates
// (owned RAM, on-demand pages) are freed when it is destroyed.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <utility>

#include "core/base/addr.h"
#include "core/base/result.h"
#include "core/mm/frame_allocator.h"
#include "core/mm/mem_flags.h"
#include "core/mm/stage2_table.h"

namespace tandem {

enum class RegionKind : uint8_t { kRam, kMmio, kReserved };

enum class RamBacking : uint8_t {
  kNone,      // not RAM
  kLinear,    // a contiguous host range the caller owns
  kOwned,     // contiguous frames the address space allocated
  kOnDemand,  // frames allocated when first touched (populate() or the accessor): a 2 MiB
              // block where one fits the region and the allocator has an aligned run, else 4 KiB
};

struct Region {
  Gpa base;
  uint64_t size = 0;
  RegionKind kind = RegionKind::kReserved;
  RamBacking backing = RamBacking::kNone;
  MemFlags flags;
  Hpa hpa;           // first byte of the contiguous backing (kLinear, kOwned)
  uint8_t fill = 0;  // what every byte of on-demand RAM reads before the guest writes it

  Gpa end() const { return base + size; }
  bool contains(Gpa a) const { return a >= base && a - base < size; }
  bool contiguous() const {
    return backing == RamBacking::kLinear || backing == RamBacking::kOwned;
  }
};

inline constexpr size_t kMaxRegions = 32;

class AddressSpace {
 public:
  [[nodiscard]] static Result<AddressSpace> create(FrameAllocator& alloc,
                                                   const Stage2Config& config);
  AddressSpace(AddressSpace&& other) noexcept;
  AddressSpace& operator=(AddressSpace&& other) noexcept;
  AddressSpace(const AddressSpace&) = delete;
  AddressSpace& operator=(const AddressSpace&) = delete;
  ~AddressSpace();

  // Regions are 4 KiB aligned, non-empty, inside the stage-2 input range and may not overlap
  // (kOverlap); at most kMaxRegions (kCapacity).
  // RAM backed by [backing, backing + size), which the caller keeps alive.
  [[nodiscard]] Result<void> add_ram(Gpa base, uint64_t size, Hpa backing,
                                     MemFlags flags = kMemRwx);
  // RAM backed by contiguous frames from the allocator, aligned for 2 MiB / 1 GiB leaves
  // where the allocator can. What hosted backends hand to Unicorn or a KVM memory slot.
  [[nodiscard]] Result<void> add_ram_alloc(Gpa base, uint64_t size, MemFlags flags = kMemRwx);
  // On-demand RAM reads as `fill` until written (0xff: erased flash).
  [[nodiscard]] Result<void> add_ram_on_demand(Gpa base, uint64_t size, MemFlags flags = kMemRwx,
                                               uint8_t fill = 0);
  [[nodiscard]] Result<void> add_mmio(Gpa base, uint64_t size);
  [[nodiscard]] Result<void> add_reserved(Gpa base, uint64_t size);

  // Backs and maps every unmapped page of on-demand RAM touching [gpa, gpa + size); pages of
  // contiguous RAM are already mapped. A page is backed with the whole 2 MiB block around it
  // (one stage-2 leaf, one fault per block) when the block lies inside the region, none of it is
  // mapped yet and the allocator has 2 MiB-aligned frames; else with one 4 KiB frame.
  // kNotMapped where no region is, kPermission for MMIO and reserved ranges. On kNoMemory the
  // pages populated so far stay (zero-filled) RAM.
  [[nodiscard]] Result<void> populate(Gpa gpa, uint64_t size);

  const Region* find(Gpa gpa) const;
  std::span<const Region> regions() const { return {m_regions.data(), m_count}; }
  // Where the hypervisor reaches a contiguous RAM region (kUnsupported for other regions).
  [[nodiscard]] Result<Hva> host_address(const Region& region) const;

  Stage2Table& stage2() { return m_stage2; }
  const Stage2Table& stage2() const { return m_stage2; }
  FrameAllocator& allocator() const { return *m_alloc; }

 private:
  AddressSpace(FrameAllocator& alloc, Stage2Table&& table)
      : m_alloc(&alloc), m_stage2(std::move(table)) {}

  Result<size_t> slot_for(Gpa base, uint64_t size) const;
  void insert(size_t slot, const Region& region);
  Result<void> add_ram_mapped(const Region& region, bool owned);
  Result<Hpa> alloc_backing(Gpa base, uint64_t size);
  Result<void> populate_page(const Region& region, Gpa page);
  bool populate_block(const Region& region, Gpa page);
  void fill(const Region& region, Hpa frames, uint64_t size);
  void release();

  FrameAllocator* m_alloc;  // null once moved from
  Stage2Table m_stage2;
  std::array<Region, kMaxRegions> m_regions{};
  size_t m_count = 0;
};

}  // namespace tandem

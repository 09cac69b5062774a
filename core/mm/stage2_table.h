// SPDX-License-Identifier: Apache-2.0
// A stage-2 page table (GPA -> HPA) in any supported format, built from FrameAllocator frames
// and reached through phys_to_virt, so the same tables serve a board (activated by the
// bare-metal backend) and the hosted backends (where "physical" is a host address).
//
// Invariants: every entry is either zero or valid; no table other than the root is empty
// (unmap frees tables it empties); a failed map/unmap/protect leaves the table as it was.
// The table does no TLB maintenance: after unmap/protect the caller invalidates (TLBI,
// INVEPT, HFENCE.GVMA) before the freed frames or old permissions can matter.
#pragma once

#include <cstdint>

#include "core/base/addr.h"
#include "core/base/result.h"
#include "core/mm/frame_allocator.h"
#include "core/mm/mem_flags.h"
#include "core/mm/stage2_layout.h"

namespace tandem {

struct Translation {
  Hpa hpa;  // host-physical address of the translated byte (not of the page)
  MemFlags flags;
  uint64_t page_size = 0;  // size of the leaf that maps it: 4 KiB, 2 MiB or 1 GiB
};

class Stage2Table {
 public:
  [[nodiscard]] static Result<Stage2Table> create(FrameAllocator& alloc,
                                                  const Stage2Config& config);
  Stage2Table(Stage2Table&& other) noexcept;
  Stage2Table& operator=(Stage2Table&& other) noexcept;
  Stage2Table(const Stage2Table&) = delete;
  Stage2Table& operator=(const Stage2Table&) = delete;
  ~Stage2Table();

  // Maps [gpa, gpa+size) to [hpa, hpa+size), with 1 GiB / 2 MiB leaves wherever both
  // addresses and the remaining size allow it. Everything must be 4 KiB aligned and flags
  // must grant read (write- or execute-only cannot be expressed in every format). Fails with
  // kAlreadyMapped if any page of the range is mapped.
  [[nodiscard]] Result<void> map(Gpa gpa, Hpa hpa, uint64_t size, MemFlags flags);
  // Removes whatever is mapped in the range (holes are fine), splitting leaves the range cuts.
  [[nodiscard]] Result<void> unmap(Gpa gpa, uint64_t size);
  // Changes the flags of a fully mapped range (kNotMapped otherwise), splitting leaves.
  [[nodiscard]] Result<void> protect(Gpa gpa, uint64_t size, MemFlags flags);
  [[nodiscard]] Result<Translation> translate(Gpa gpa) const;

  Hpa root() const { return m_root; }
  // VTTBR_EL2, EPTP or hgatp for this table.
  uint64_t hw_root() const { return m_layout.hw_root(m_root); }
  // VTCR_EL2 on aarch64, 0 elsewhere.
  uint64_t hw_control() const { return m_layout.hw_control(); }
  const Stage2Layout& layout() const { return m_layout; }
  uint64_t ipa_limit() const { return m_layout.ipa_limit(); }

 private:
  struct SplitLog;

  Stage2Table(FrameAllocator& alloc, const Stage2Layout& layout, Hpa root)
      : m_alloc(&alloc), m_layout(layout), m_root(root) {}

  uint64_t* entries(Hpa table) const { return to_ptr<uint64_t>(m_alloc->phys_to_virt(table)); }
  Result<void> check_range(Gpa gpa, uint64_t size) const;
  bool any_mapped(Hpa table, unsigned depth, uint64_t start, uint64_t end) const;
  bool all_mapped(Hpa table, unsigned depth, uint64_t start, uint64_t end) const;
  Result<void> map_range(Hpa table, unsigned depth, uint64_t start, uint64_t end, uint64_t pa,
                         MemFlags flags);
  void unmap_range(Hpa table, unsigned depth, uint64_t start, uint64_t end);
  void protect_range(Hpa table, unsigned depth, uint64_t start, uint64_t end, MemFlags flags);
  Result<void> split_edges(uint64_t start, uint64_t end, SplitLog& log);
  Result<void> split_at(uint64_t addr, SplitLog& log);
  void undo_splits(SplitLog& log);
  bool table_empty(Hpa table) const;
  void free_tables(Hpa table, unsigned depth);
  void release();

  FrameAllocator* m_alloc;  // null once moved from
  Stage2Layout m_layout;
  Hpa m_root;
};

}  // namespace tandem

// SPDX-License-Identifier: Apache-2.0
#include "core/mm/stage2_table.h"

#include <array>
#include <utility>

namespace tandem {
namespace {

// Entries are written with single 64-bit stores so a concurrent hardware walker never sees a
// torn descriptor.
void store(uint64_t* slot, uint64_t value) { __atomic_store_n(slot, value, __ATOMIC_RELAXED); }

constexpr uint64_t kEntriesPerTable = kFrameSize / sizeof(uint64_t);

}  // namespace

// Splits done while preparing an unmap/protect, so a later allocation failure can put the
// original leaves back. Leaves are at most 1 GiB, so each of the two range edges splits at
// most twice (1 GiB -> 2 MiB -> 4 KiB).
struct Stage2Table::SplitLog {
  struct Split {
    uint64_t* slot;
    uint64_t old_entry;
    Hpa table;
  };
  std::array<Split, size_t{2} * (kMaxStage2Levels - 1)> splits{};
  unsigned count = 0;
};

Result<Stage2Table> Stage2Table::create(FrameAllocator& alloc, const Stage2Config& config) {
  const Stage2Layout layout = TRY(Stage2Layout::create(config));
  // Concatenated aarch64 roots and the 16 KiB RISC-V root must be aligned to their size.
  const Hpa root = TRY(alloc.alloc_frames(layout.root_frames(), layout.root_frames()));
  return Stage2Table(alloc, layout, root);
}

Stage2Table::Stage2Table(Stage2Table&& other) noexcept
    : m_alloc(std::exchange(other.m_alloc, nullptr)),
      m_layout(other.m_layout),
      m_root(other.m_root) {}

Stage2Table& Stage2Table::operator=(Stage2Table&& other) noexcept {
  if (this != &other) {
    release();
    m_alloc = std::exchange(other.m_alloc, nullptr);
    m_layout = other.m_layout;
    m_root = other.m_root;
  }
  return *this;
}

Stage2Table::~Stage2Table() { release(); }

void Stage2Table::release() {
  if (m_alloc == nullptr) return;
  free_tables(m_root, 0);
  m_alloc->free_frames(m_root, m_layout.root_frames());
  m_alloc = nullptr;
}

Result<void> Stage2Table::check_range(Gpa gpa, uint64_t size) const {
  if (size == 0) return Error(Status::kInvalidArgument);
  if (!gpa.is_aligned(kPageSize4K) || (size & (kPageSize4K - 1)) != 0) {
    return Error(Status::kUnaligned);
  }
  if (gpa.raw() >= ipa_limit() || size > ipa_limit() - gpa.raw()) {
    return Error(Status::kOutOfRange);
  }
  return ok();
}

Result<void> Stage2Table::map(Gpa gpa, Hpa hpa, uint64_t size, MemFlags flags) {
  TRY(check_range(gpa, size));
  if (!hpa.is_aligned(kPageSize4K)) return Error(Status::kUnaligned);
  if (hpa.raw() >= m_layout.oa_limit() || size > m_layout.oa_limit() - hpa.raw()) {
    return Error(Status::kOutOfRange);
  }
  if (!flags.read) return Error(Status::kInvalidArgument);
  const uint64_t start = gpa.raw();
  const uint64_t end = start + size;
  if (any_mapped(m_root, 0, start, end)) return Error(Status::kAlreadyMapped);
  auto mapped = map_range(m_root, 0, start, end, hpa.raw(), flags);
  // The range was empty, so clearing it removes exactly what map_range added, including
  // tables it allocated but could not fill.
  if (!mapped) unmap_range(m_root, 0, start, end);
  return mapped;
}

Result<void> Stage2Table::unmap(Gpa gpa, uint64_t size) {
  TRY(check_range(gpa, size));
  SplitLog log;
  TRY(split_edges(gpa.raw(), gpa.raw() + size, log));
  unmap_range(m_root, 0, gpa.raw(), gpa.raw() + size);
  return ok();
}

Result<void> Stage2Table::protect(Gpa gpa, uint64_t size, MemFlags flags) {
  TRY(check_range(gpa, size));
  if (!flags.read) return Error(Status::kInvalidArgument);
  const uint64_t start = gpa.raw();
  const uint64_t end = start + size;
  if (!all_mapped(m_root, 0, start, end)) return Error(Status::kNotMapped);
  SplitLog log;
  TRY(split_edges(start, end, log));
  protect_range(m_root, 0, start, end, flags);
  return ok();
}

Result<Translation> Stage2Table::translate(Gpa gpa) const {
  const uint64_t g = gpa.raw();
  if (g >= ipa_limit()) return Error(Status::kOutOfRange);
  const unsigned last = m_layout.levels() - 1;
  Hpa table = m_root;
  for (unsigned depth = 0;; ++depth) {
    const uint64_t e = entries(table)[m_layout.index(g, depth)];
    if (!m_layout.is_valid(e)) return Error(Status::kNotMapped);
    if (depth == last || !m_layout.is_table(e)) {
      const uint64_t size = 1ull << m_layout.shift(depth);
      return Translation{m_layout.address(e) + (g & (size - 1)), m_layout.leaf_flags(e), size};
    }
    table = m_layout.address(e);
  }
}

// The walkers below visit, at one depth, every entry that [start, end) touches; [a, b) is the
// part of the range inside the current entry, whose span is [base, base + span).

bool Stage2Table::any_mapped(Hpa table, unsigned depth, uint64_t start, uint64_t end) const {
  const uint64_t span = 1ull << m_layout.shift(depth);
  const uint64_t* t = entries(table);
  for (uint64_t a = start; a < end;) {
    const uint64_t base = a & ~(span - 1);
    const uint64_t b = end < base + span ? end : base + span;
    const uint64_t e = t[m_layout.index(a, depth)];
    if (m_layout.is_valid(e)) {
      // A table is never empty, so one that the range covers whole holds a mapping.
      const bool whole = a == base && b == base + span;
      if (depth + 1 == m_layout.levels() || !m_layout.is_table(e) || whole) return true;
      if (any_mapped(m_layout.address(e), depth + 1, a, b)) return true;
    }
    a = b;
  }
  return false;
}

bool Stage2Table::all_mapped(Hpa table, unsigned depth, uint64_t start, uint64_t end) const {
  const uint64_t span = 1ull << m_layout.shift(depth);
  const uint64_t* t = entries(table);
  for (uint64_t a = start; a < end;) {
    const uint64_t base = a & ~(span - 1);
    const uint64_t b = end < base + span ? end : base + span;
    const uint64_t e = t[m_layout.index(a, depth)];
    if (!m_layout.is_valid(e)) return false;
    if (depth + 1 < m_layout.levels() && m_layout.is_table(e) &&
        !all_mapped(m_layout.address(e), depth + 1, a, b)) {
      return false;
    }
    a = b;
  }
  return true;
}

Result<void> Stage2Table::map_range(Hpa table, unsigned depth, uint64_t start, uint64_t end,
                                    uint64_t pa, MemFlags flags) {
  const uint64_t span = 1ull << m_layout.shift(depth);
  uint64_t* t = entries(table);
  for (uint64_t a = start; a < end;) {
    const uint64_t base = a & ~(span - 1);
    const uint64_t b = end < base + span ? end : base + span;
    uint64_t* slot = &t[m_layout.index(a, depth)];
    const uint64_t out = pa + (a - start);
    if (a == base && b == base + span && (out & (span - 1)) == 0 && m_layout.leaf_allowed(depth)) {
      store(slot, m_layout.leaf_entry(Hpa(out), flags, depth));
    } else {
      // Not a leaf here, so a table: the pre-check rules out an existing leaf.
      Hpa child;
      if (*slot == 0) {
        child = TRY(m_alloc->alloc_frame());
        store(slot, m_layout.table_entry(child));
      } else {
        child = m_layout.address(*slot);
      }
      TRY(map_range(child, depth + 1, a, b, out, flags));
    }
    a = b;
  }
  return ok();
}

// Clears every leaf in the range (the range edges must not cut a leaf) and frees the tables
// that end up empty, whether or not this call cleared anything in them.
void Stage2Table::unmap_range(Hpa table, unsigned depth, uint64_t start, uint64_t end) {
  const uint64_t span = 1ull << m_layout.shift(depth);
  uint64_t* t = entries(table);
  for (uint64_t a = start; a < end;) {
    const uint64_t base = a & ~(span - 1);
    const uint64_t b = end < base + span ? end : base + span;
    uint64_t* slot = &t[m_layout.index(a, depth)];
    const uint64_t e = *slot;
    if (m_layout.is_valid(e)) {
      if (depth + 1 == m_layout.levels() || !m_layout.is_table(e)) {
        store(slot, 0);
      } else {
        const Hpa child = m_layout.address(e);
        const bool whole = a == base && b == base + span;
        if (whole) {
          free_tables(child, depth + 1);
        } else {
          unmap_range(child, depth + 1, a, b);
        }
        if (whole || table_empty(child)) {
          store(slot, 0);
          m_alloc->free_frame(child);
        }
      }
    }
    a = b;
  }
}

void Stage2Table::protect_range(Hpa table, unsigned depth, uint64_t start, uint64_t end,
                                MemFlags flags) {
  const uint64_t span = 1ull << m_layout.shift(depth);
  uint64_t* t = entries(table);
  for (uint64_t a = start; a < end;) {
    const uint64_t base = a & ~(span - 1);
    const uint64_t b = end < base + span ? end : base + span;
    uint64_t* slot = &t[m_layout.index(a, depth)];
    const uint64_t e = *slot;
    if (depth + 1 == m_layout.levels() || !m_layout.is_table(e)) {
      store(slot, m_layout.leaf_entry(m_layout.address(e), flags, depth));
    } else {
      protect_range(m_layout.address(e), depth + 1, a, b, flags);
    }
    a = b;
  }
}

Result<void> Stage2Table::split_edges(uint64_t start, uint64_t end, SplitLog& log) {
  auto split = split_at(start, log);
  if (split) split = split_at(end, log);
  if (!split) undo_splits(log);
  return split;
}

// Replaces every leaf that contains `addr` without starting at it by a table of smaller
// leaves with the same attributes, down to where `addr` is a leaf boundary.
Result<void> Stage2Table::split_at(uint64_t addr, SplitLog& log) {
  if (addr >= ipa_limit()) return ok();
  Hpa table = m_root;
  for (unsigned depth = 0; depth + 1 < m_layout.levels(); ++depth) {
    uint64_t* slot = &entries(table)[m_layout.index(addr, depth)];
    const uint64_t e = *slot;
    if (!m_layout.is_valid(e)) return ok();
    if (!m_layout.is_table(e)) {
      if ((addr & ((1ull << m_layout.shift(depth)) - 1)) == 0) return ok();
      const Hpa child = TRY(m_alloc->alloc_frame());
      const uint64_t sub = 1ull << m_layout.shift(depth + 1);
      const MemFlags flags = m_layout.leaf_flags(e);
      uint64_t* c = entries(child);
      for (uint64_t i = 0; i < kEntriesPerTable; ++i) {
        c[i] = m_layout.leaf_entry(m_layout.address(e) + i * sub, flags, depth + 1);
      }
      store(slot, m_layout.table_entry(child));
      log.splits[log.count++] = {slot, e, child};
    }
    table = m_layout.address(*slot);
  }
  return ok();
}

void Stage2Table::undo_splits(SplitLog& log) {
  // Deepest first: a later split's slot lives in an earlier split's table.
  while (log.count > 0) {
    const auto& s = log.splits[--log.count];
    store(s.slot, s.old_entry);
    m_alloc->free_frame(s.table);
  }
}

bool Stage2Table::table_empty(Hpa table) const {
  const uint64_t* t = entries(table);
  for (uint64_t i = 0; i < kEntriesPerTable; ++i) {
    if (t[i] != 0) return false;
  }
  return true;
}

// Frees every table below `table` (not `table` itself).
void Stage2Table::free_tables(Hpa table, unsigned depth) {
  if (depth + 1 == m_layout.levels()) return;
  const uint64_t* t = entries(table);
  for (uint64_t i = 0; i < m_layout.entries(depth); ++i) {
    if (m_layout.is_valid(t[i]) && m_layout.is_table(t[i])) {
      const Hpa child = m_layout.address(t[i]);
      free_tables(child, depth + 1);
      m_alloc->free_frame(child);
    }
  }
}

}  // namespace tandem

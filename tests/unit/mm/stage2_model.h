// SPDX-License-Identifier: Apache-2.0
// Test support for Stage2Table: the formats under test, a simple reference model of what
// should be mapped (sorted, non-overlapping segments), random operations over it, and a
// checker that compares translate() with the model.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <iterator>
#include <map>
#include <optional>
#include <ostream>
#include <random>
#include <string>
#include <vector>

#include "core/mm/stage2_table.h"

namespace tandem::test {

struct FormatCase {
  std::string name;
  Stage2Config config;
};

inline void PrintTo(const FormatCase& c, std::ostream* os) { *os << c.name; }

inline std::vector<FormatCase> all_formats() {
  Stage2Config ept_no_1g = Stage2Config::of(Stage2Format::kEpt);
  ept_no_1g.allow_1g_blocks = false;
  return {
      {"aarch64_ipa32_3level", Stage2Config::aarch64(32, 3, 40)},
      {"aarch64_ipa40_3level", Stage2Config::aarch64(40, 3, 40)},
      {"aarch64_ipa48_4level", Stage2Config::aarch64(48, 4, 48)},
      {"ept", Stage2Config::of(Stage2Format::kEpt)},
      {"ept_no_1g", ept_no_1g},
      {"sv39x4", Stage2Config::of(Stage2Format::kSv39x4)},
      {"sv48x4", Stage2Config::of(Stage2Format::kSv48x4)},
  };
}

class RefModel {
 public:
  struct Mapping {
    uint64_t hpa;
    MemFlags flags;
    uint64_t seg_start;  // the model segment holding the address
    uint64_t seg_end;
  };

  bool any_mapped(uint64_t s, uint64_t e) const {
    auto it = m_segs.upper_bound(s);
    if (it != m_segs.begin() && std::prev(it)->second.end > s) return true;
    return it != m_segs.end() && it->first < e;
  }
  bool all_mapped(uint64_t s, uint64_t e) const {
    uint64_t a = s;
    while (a < e) {
      auto m = lookup(a);
      if (!m) return false;
      a = m->seg_end;
    }
    return true;
  }
  void map(uint64_t s, uint64_t e, uint64_t hpa, MemFlags f) { m_segs[s] = {e, hpa, f}; }
  void unmap(uint64_t s, uint64_t e) {
    split(s);
    split(e);
    m_segs.erase(m_segs.lower_bound(s), m_segs.lower_bound(e));
  }
  void protect(uint64_t s, uint64_t e, MemFlags f) {
    split(s);
    split(e);
    for (auto it = m_segs.lower_bound(s); it != m_segs.end() && it->first < e; ++it) {
      it->second.flags = f;
    }
  }
  std::optional<Mapping> lookup(uint64_t a) const {
    auto it = m_segs.upper_bound(a);
    if (it == m_segs.begin()) return std::nullopt;
    --it;
    if (a >= it->second.end) return std::nullopt;
    return Mapping{it->second.hpa + (a - it->first), it->second.flags, it->first, it->second.end};
  }

 private:
  struct Seg {
    uint64_t end;
    uint64_t hpa;
    MemFlags flags;
  };
  // Cuts the segment containing `a` in two at `a`. Adjacent segments are never merged, so a
  // leaf must fit inside one segment only when both came from the same map().
  void split(uint64_t a) {
    auto it = m_segs.upper_bound(a);
    if (it == m_segs.begin()) return;
    --it;
    if (it->first == a || a >= it->second.end) return;
    const Seg tail{it->second.end, it->second.hpa + (a - it->first), it->second.flags};
    it->second.end = a;
    m_segs[a] = tail;
  }
  std::map<uint64_t, Seg> m_segs;
};

// Checks translate(a) against the model: same HPA and flags, and the leaf that maps `a` lies
// inside the model segment holding `a` (table leaves are never coarser than the model's cuts,
// which all come from map/unmap/protect edges), so a block never maps more than asked.
inline void expect_translation(const Stage2Table& table, const RefModel& model, uint64_t a) {
  const auto want = model.lookup(a);
  const auto got = table.translate(Gpa(a));
  if (!want) {
    ASSERT_FALSE(got.ok()) << std::hex << "unexpected mapping at 0x" << a;
    EXPECT_EQ(got.error(), Status::kNotMapped);
    return;
  }
  ASSERT_TRUE(got.ok()) << std::hex << "missing mapping at 0x" << a;
  EXPECT_EQ(got->hpa.raw(), want->hpa) << std::hex << "at 0x" << a;
  EXPECT_EQ(got->flags, want->flags) << std::hex << "at 0x" << a;
  const uint64_t leaf = a & ~(got->page_size - 1);
  EXPECT_GE(leaf, want->seg_start) << std::hex << "leaf of 0x" << got->page_size << " at 0x" << a;
  EXPECT_LE(leaf + got->page_size, want->seg_end)
      << std::hex << "leaf of 0x" << got->page_size << " at 0x" << a;
}

// The leaf size a fresh map() must use at its first address.
inline uint64_t expected_first_leaf(const Stage2Config& config, uint64_t gpa, uint64_t hpa,
                                    uint64_t size) {
  auto fits = [&](uint64_t s) { return gpa % s == 0 && hpa % s == 0 && size >= s; };
  if (config.allow_1g_blocks && fits(kPageSize1G)) return kPageSize1G;
  if (fits(kPageSize2M)) return kPageSize2M;
  return kPageSize4K;
}

enum class OpKind { kMap, kUnmap, kProtect };

struct Op {
  OpKind kind;
  uint64_t gpa;
  uint64_t size;
  uint64_t hpa;
  MemFlags flags;
};

inline constexpr uint64_t kWindow = 4ull << 30;       // GPAs used: fits every format
inline constexpr uint64_t kHpaBase = 0x40'0000'0000;  // fake output addresses, 1 GiB aligned

// Mixed sizes: runs of 4 KiB pages, 2 MiB multiples, whole 1 GiB blocks and unaligned spans
// crossing 2 MiB boundaries; output addresses mostly as aligned as the input, sometimes not.
inline Op random_op(std::mt19937_64& rng) {
  auto pick = [&](uint64_t n) { return std::uniform_int_distribution<uint64_t>(0, n - 1)(rng); };
  Op op{};
  const uint64_t kind = pick(10);
  op.kind = kind < 5 ? OpKind::kMap : kind < 8 ? OpKind::kUnmap : OpKind::kProtect;
  const uint64_t cls = pick(20);
  if (cls < 8) {
    op.size = (1 + pick(32)) * kPageSize4K;
    op.gpa = pick(kWindow / kPageSize4K) * kPageSize4K;
  } else if (cls < 13) {
    op.size = (1 + pick(4)) * kPageSize2M;
    op.gpa = pick(kWindow / kPageSize2M) * kPageSize2M;
  } else if (cls < 15) {
    op.size = kPageSize1G;
    op.gpa = pick(kWindow / kPageSize1G) * kPageSize1G;
  } else {
    op.size = (1 + pick(768)) * kPageSize4K;
    op.gpa = pick(kWindow / kPageSize4K) * kPageSize4K;
  }
  if (op.gpa + op.size > kWindow) op.size = kWindow - op.gpa;
  op.hpa = kHpaBase + op.gpa + (pick(4) == 0 ? pick(512) * kPageSize4K : 0);
  constexpr MemFlags kChoices[] = {kMemRo, kMemRw, kMemRx, kMemRwx, kMemDevice};
  op.flags = kChoices[pick(5)];
  return op;
}

// Runs `op` on the table, checks its status against the model, and updates the model.
inline Result<void> apply_op(Stage2Table& table, RefModel& model, const Op& op) {
  const uint64_t end = op.gpa + op.size;
  switch (op.kind) {
    case OpKind::kMap: {
      auto r = table.map(Gpa(op.gpa), Hpa(op.hpa), op.size, op.flags);
      const bool overlap = model.any_mapped(op.gpa, end);
      if (r.ok()) model.map(op.gpa, end, op.hpa, op.flags);
      if (!r.ok() && r.error() != Status::kNoMemory) {
        EXPECT_TRUE(overlap);
        EXPECT_EQ(r.error(), Status::kAlreadyMapped);
      }
      if (r.ok()) {
        EXPECT_FALSE(overlap);
      }
      return r;
    }
    case OpKind::kUnmap: {
      auto r = table.unmap(Gpa(op.gpa), op.size);
      if (r.ok()) model.unmap(op.gpa, end);
      if (!r.ok()) {
        EXPECT_EQ(r.error(), Status::kNoMemory);
      }
      return r;
    }
    case OpKind::kProtect: {
      auto r = table.protect(Gpa(op.gpa), op.size, op.flags);
      const bool mapped = model.all_mapped(op.gpa, end);
      if (r.ok()) model.protect(op.gpa, end, op.flags);
      if (!r.ok() && r.error() != Status::kNoMemory) {
        EXPECT_FALSE(mapped);
        EXPECT_EQ(r.error(), Status::kNotMapped);
      }
      if (r.ok()) {
        EXPECT_TRUE(mapped);
      }
      return r;
    }
  }
  return Error(Status::kInvalidArgument);
}

// Probe addresses around an operation's edges.
inline void expect_edges(const Stage2Table& table, const RefModel& model, const Op& op) {
  const uint64_t end = op.gpa + op.size;
  for (uint64_t a : {op.gpa, op.gpa + 0x123, end - 1, end - kPageSize4K, end}) {
    if (a < kWindow) expect_translation(table, model, a);
  }
  if (op.gpa >= kPageSize4K) expect_translation(table, model, op.gpa - 1);
}

}  // namespace tandem::test

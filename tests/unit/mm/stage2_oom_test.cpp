// SPDX-License-Identifier: Apache-2.0
// Running out of frames at every possible point: with an allocator that fails after N frames,
// every operation either succeeds or returns kNoMemory with the mapping unchanged, and all
// frames come back at teardown.
#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "stage2_model.h"
#include "test_frame_allocator.h"

namespace tandem::test {
namespace {

constexpr uint64_t G = kPageSize1G;
constexpr uint64_t M2 = kPageSize2M;
constexpr uint64_t K4 = kPageSize4K;

// Operations that allocate tables, split 1 GiB and 2 MiB leaves at one or both edges, and free
// tables again; followed by a fixed-seed random tail.
std::vector<Op> script() {
  std::vector<Op> ops = {
      {OpKind::kMap, G, G, kHpaBase, kMemRwx},
      {OpKind::kMap, 2 * G + K4, 2 * M2 + 2 * K4, kHpaBase + K4, kMemRw},
      {OpKind::kUnmap, G + M2 + K4, K4, 0, {}},
      {OpKind::kProtect, G + 2 * K4, 2 * M2, 0, kMemRo},
      {OpKind::kMap, 0, M2, kHpaBase, kMemDevice},
      {OpKind::kMap, 3 * G, 4 * K4, kHpaBase, kMemRx},
      {OpKind::kUnmap, G + 7 * M2 + 5 * K4, 3 * M2, 0, {}},
      {OpKind::kMap, G + M2 + K4, K4, kHpaBase, kMemRw},
      {OpKind::kProtect, G + 100 * M2 - K4, 2 * K4, 0, kMemDevice},
      {OpKind::kUnmap, G, G, 0, {}},
      {OpKind::kMap, G + 3 * K4, G - 3 * K4, kHpaBase + 3 * K4, kMemRw},
  };
  std::mt19937_64 rng(42);
  for (int i = 0; i < 40; ++i) ops.push_back(random_op(rng));
  return ops;
}

// Addresses where a change would show: every op's edges and some inner points.
std::vector<uint64_t> probes(const std::vector<Op>& ops) {
  std::vector<uint64_t> out;
  for (const Op& op : ops) {
    for (uint64_t a : {op.gpa, op.gpa + op.size / 2, op.gpa + op.size - 1, op.gpa + op.size}) {
      if (a < kWindow) out.push_back(a);
    }
    if (op.gpa >= K4) out.push_back(op.gpa - 1);
  }
  return out;
}

class Stage2OutOfMemory : public ::testing::TestWithParam<FormatCase> {};

TEST_P(Stage2OutOfMemory, FailsCleanlyAtEveryBudget) {
  const auto ops = script();
  const auto points = probes(ops);
  size_t budget = 0;
  for (;; ++budget) {
    ASSERT_LT(budget, 2000u) << "never ran to completion";
    TestFrameAllocator alloc;
    alloc.set_budget(budget);
    size_t failures = 0;
    {
      auto table = Stage2Table::create(alloc, GetParam().config);
      if (!table.ok()) {
        EXPECT_EQ(table.error(), Status::kNoMemory);
        EXPECT_EQ(alloc.in_use(), 0u);
        continue;
      }
      RefModel model;
      for (size_t i = 0; i < ops.size(); ++i) {
        const size_t before = alloc.in_use();
        auto r = apply_op(*table, model, ops[i]);
        if (!r.ok() && r.error() == Status::kNoMemory) {
          ++failures;
          EXPECT_EQ(alloc.in_use(), before) << "op " << i << " leaked after kNoMemory";
        }
        // The model only changed on success, so this checks "unchanged" after a failure.
        for (uint64_t a : points) expect_translation(*table, model, a);
        if (::testing::Test::HasFailure()) FAIL() << "budget " << budget << ", op " << i;
      }
    }
    EXPECT_EQ(alloc.in_use(), 0u) << "budget " << budget;
    EXPECT_EQ(alloc.allocated(), alloc.freed());
    if (failures == 0) break;
  }
  // The script must need a fair number of frames, or the sweep proves little.
  EXPECT_GT(budget, 10u);
}

INSTANTIATE_TEST_SUITE_P(AllFormats, Stage2OutOfMemory, ::testing::ValuesIn(all_formats()),
                         [](const auto& tp) { return tp.param.name; });

}  // namespace
}  // namespace tandem::test

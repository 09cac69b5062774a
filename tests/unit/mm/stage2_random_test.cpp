// SPDX-License-Identifier: Apache-2.0
// Randomized map/unmap/protect sequences on every format, checked against the reference
// model after every operation, with block leaves checked where the addresses allow them.
#include <gtest/gtest.h>

#include <random>

#include "stage2_model.h"
#include "test_frame_allocator.h"

namespace tandem::test {
namespace {

class Stage2Random : public ::testing::TestWithParam<FormatCase> {};

TEST_P(Stage2Random, MatchesReferenceModel) {
  const Stage2Config& config = GetParam().config;
  TestFrameAllocator alloc;
  {
    auto table = Stage2Table::create(alloc, config);
    ASSERT_TRUE(table.ok());
    const size_t root_frames = alloc.in_use();
    RefModel model;
    std::mt19937_64 rng(0x5eed'0000 + static_cast<unsigned>(config.format) * 7 + config.ipa_bits);
    std::uniform_int_distribution<uint64_t> probe(0, kWindow - 1);
    size_t blocks_1g = 0;
    size_t blocks_2m = 0;
    for (int i = 0; i < 3000; ++i) {
      const Op op = random_op(rng);
      const auto result = apply_op(*table, model, op);
      if (op.kind == OpKind::kUnmap) {
        ASSERT_TRUE(result.ok()) << "op " << i;
      }
      if (op.kind == OpKind::kMap && result.ok()) {
        // A map that just succeeded: its first leaf is the largest the alignment allows.
        const auto t = table->translate(Gpa(op.gpa));
        ASSERT_TRUE(t.ok());
        const uint64_t want = expected_first_leaf(config, op.gpa, op.hpa, op.size);
        EXPECT_EQ(t->page_size, want) << std::hex << "map at 0x" << op.gpa << " size 0x" << op.size;
        blocks_1g += want == kPageSize1G;
        blocks_2m += want == kPageSize2M;
      }
      expect_edges(*table, model, op);
      for (int p = 0; p < 24; ++p) expect_translation(*table, model, probe(rng));
      if (::testing::Test::HasFailure()) FAIL() << "stopping after op " << i;
    }
    // The sequence must have exercised the block paths.
    if (config.allow_1g_blocks) {
      EXPECT_GT(blocks_1g, 5u);
    }
    EXPECT_GT(blocks_2m, 20u);
    // Emptying the window frees every table but the root.
    ASSERT_TRUE(table->unmap(Gpa(0), kWindow).ok());
    EXPECT_EQ(alloc.in_use(), root_frames);
    for (int p = 0; p < 64; ++p) {
      EXPECT_EQ(table->translate(Gpa(probe(rng))).error(), Status::kNotMapped);
    }
  }
  EXPECT_EQ(alloc.in_use(), 0u);
  EXPECT_EQ(alloc.allocated(), alloc.freed());
}

INSTANTIATE_TEST_SUITE_P(AllFormats, Stage2Random, ::testing::ValuesIn(all_formats()),
                         [](const auto& tp) { return tp.param.name; });

}  // namespace
}  // namespace tandem::test

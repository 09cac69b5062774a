// SPDX-License-Identifier: Apache-2.0
#include <gtest/gtest.h>

#include <cstdint>

#include "devices/timer/boot_timer.h"

namespace tandem {
namespace {

uint64_t g_now = 0;
uint64_t fake_now() { return g_now; }

TEST(BootTimer, MagicWriteRecordsTimeSinceConstruction) {
  g_now = 5'000;
  BootTimer dev(fake_now);
  EXPECT_FALSE(dev.reported());
  g_now = 1'234'567;
  dev.write(0, 1, BootTimer::kMagic);
  EXPECT_TRUE(dev.reported());
  EXPECT_EQ(dev.boot_time_ns(), 1'229'567u);
  EXPECT_EQ(dev.read(0, 4), 0u);
}

TEST(BootTimer, OnlyTheFirstMagicWriteCounts) {
  g_now = 0;
  BootTimer dev(fake_now);
  g_now = 100;
  dev.write(0, 4, BootTimer::kMagic);
  g_now = 900;
  dev.write(0, 4, BootTimer::kMagic);
  EXPECT_EQ(dev.boot_time_ns(), 100u);
}

TEST(BootTimer, OtherValuesAndOffsetsAreIgnored) {
  g_now = 0;
  BootTimer dev(fake_now);
  g_now = 50;
  dev.write(0, 1, 122);
  dev.write(0, 8, BootTimer::kMagic | (1ull << 32));
  dev.write(1, 1, BootTimer::kMagic);
  EXPECT_FALSE(dev.reported());
  EXPECT_EQ(dev.boot_time_ns(), 0u);
}

}  // namespace
}  // namespace tandem

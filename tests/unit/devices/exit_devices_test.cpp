// SPDX-License-Identifier: Apache-2.0
#include <gtest/gtest.h>

#include "devices/exit/isa_debug_exit.h"
#include "devices/exit/sifive_test.h"
#include "fakes.h"

namespace tandem {
namespace {

using test::FakePower;

TEST(SifiveTest, PassFailAndReset) {
  FakePower power;
  SifiveTest dev(power);
  dev.write(0, 4, 0x5555);
  dev.write(0, 4, 0x3333 | (42u << 16));
  dev.write(0, 4, 0x3333 | (0xFFFFu << 16));
  dev.write(0, 2, 0x3333);               // 16-bit store (OpenSBI's writew): code 0
  dev.write(0, 4, 0x5555 | (7u << 16));  // PASS ignores the code
  EXPECT_EQ(power.offs, (std::vector<int>{0, 42, 0xFFFF, 0, 0}));
  EXPECT_EQ(power.resets, 0);
  dev.write(0, 4, 0x7777);
  EXPECT_EQ(power.resets, 1);
  EXPECT_EQ(dev.read(0, 4), 0u);
}

TEST(SifiveTest, OtherValuesOffsetsAndWidthsAreIgnored) {
  FakePower power;
  SifiveTest dev(power);
  dev.write(0, 4, 0x1234);
  dev.write(0, 4, 0x0000);
  dev.write(4, 4, 0x5555);  // only offset 0 is the finisher
  dev.write(0, 1, 0x55);    // QEMU accepts 2- and 4-byte accesses only
  dev.write(0, 8, 0x5555);
  EXPECT_TRUE(power.offs.empty());
  EXPECT_EQ(power.resets, 0);
}

TEST(IsaDebugExit, StatusIsTheValueWritten) {
  FakePower power;
  IsaDebugExit dev(power);
  dev.write(0, 1, 0x00);
  dev.write(0, 1, 0x21);  // QEMU itself would exit with (0x21 << 1) | 1 = 0x43
  dev.write(0, 2, 0x1234);
  dev.write(2, 4, 0x10000);
  dev.write(0, 1, 0x1FF);  // an 8-bit OUT carries only the low byte
  EXPECT_EQ(power.offs, (std::vector<int>{0, 0x21, 0x1234, 0x10000, 0xFF}));
  EXPECT_EQ(dev.read(0, 4), 0u);
}

}  // namespace
}  // namespace tandem

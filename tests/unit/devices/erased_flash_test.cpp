// SPDX-License-Identifier: Apache-2.0
#include "devices/flash/erased_flash.h"

#include <gtest/gtest.h>

namespace tandem {
namespace {

// Erased NOR flash reads all ones at every width and offset (U-Boot's environment CRC then
// fails and it uses its default environment); writes leave it erased.
TEST(ErasedFlash, ReadsAllOnesAtEveryWidthAndIgnoresWrites) {
  ErasedFlash flash;
  EXPECT_EQ(flash.read(0, 1), 0xffu);
  EXPECT_EQ(flash.read(0x3fffe, 2), 0xffffu);
  EXPECT_EQ(flash.read(0x1000, 4), 0xffff'ffffu);
  EXPECT_EQ(flash.read(0x3ff'fff8, 8), ~uint64_t{0});
  flash.write(0x1000, 4, 0);
  flash.write(0, 1, 0x98);  // a CFI query command
  EXPECT_EQ(flash.read(0x1000, 4), 0xffff'ffffu);
  EXPECT_EQ(flash.read(0x20, 1), 0xffu);
}

}  // namespace
}  // namespace tandem

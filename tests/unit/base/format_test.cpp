// SPDX-License-Identifier: Apache-2.0
#include "core/base/format.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

namespace tandem {
namespace {

std::string fmt(const char* f, auto... args) {
  char buf[128];
  size_t n = format_to(buf, sizeof buf, f, args...);
  EXPECT_EQ(n, std::string(buf).size());
  return buf;
}

TEST(Format, IntegersInEveryBaseAndWidth) {
  EXPECT_EQ(fmt("%d %i %u", -42, 7, 42u), "-42 7 42");
  EXPECT_EQ(fmt("%x %X %#x", 0xbeefu, 0xbeefu, 0x10u), "beef BEEF 0x10");
  EXPECT_EQ(fmt("%016lx", 0x1234ul), "0000000000001234");
  EXPECT_EQ(fmt("%#018llx", 0xdeadull), "0x000000000000dead");
  EXPECT_EQ(fmt("%5d|%-d", 42, 1), "   42|%-d");  // '-' is not supported and printed as is
  EXPECT_EQ(fmt("%lld", static_cast<long long>(INT64_MIN)), "-9223372036854775808");
  EXPECT_EQ(fmt("%zu", static_cast<size_t>(123)), "123");
}

TEST(Format, StringsCharsAndPercent) {
  EXPECT_EQ(fmt("%s=%c 100%%", "a", 'b'), "a=b 100%");
  EXPECT_EQ(fmt("%s", static_cast<const char*>(nullptr)), "(null)");
  EXPECT_EQ(fmt("[%4s]", "ab"), "[  ab]");
}

TEST(Format, TruncatesButReportsFullLength) {
  char buf[5];
  EXPECT_EQ(format_to(buf, sizeof buf, "%s", "abcdefgh"), 8u);
  EXPECT_STREQ(buf, "abcd");
  EXPECT_EQ(format_to(buf, 0, "xyz"), 3u);
}

}  // namespace
}  // namespace tandem

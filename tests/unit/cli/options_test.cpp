// SPDX-License-Identifier: Apache-2.0
#include "cli/options.h"

#include <gtest/gtest.h>

namespace tandem::cli {
namespace {

TEST(ParseSize, AcceptsPlainNumbersAndBinarySuffixes) {
  EXPECT_EQ(parse_size("65536"), 65536u);
  EXPECT_EQ(parse_size("512K"), 512u << 10);
  EXPECT_EQ(parse_size("128M"), 128u << 20);
  EXPECT_EQ(parse_size("128m"), 128u << 20);
  EXPECT_EQ(parse_size("1G"), 1ull << 30);
  EXPECT_EQ(parse_size("64MiB"), 64u << 20);
  EXPECT_EQ(parse_size("64MB"), 64u << 20);
}

TEST(ParseSize, RefusesMalformedAndOverflowingText) {
  for (const char* bad : {"", "M", "-1", "12X", "1.5G", "128 M", "0x10", "1GG",
                          "99999999999999999999", "17179869184G"}) {
    EXPECT_FALSE(parse_size(bad).has_value()) << bad;
  }
}

TEST(ParseTimeout, AcceptsFiniteSecondsInRange) {
  EXPECT_EQ(parse_timeout("0"), 0.0);
  EXPECT_EQ(parse_timeout("2"), 2.0);
  EXPECT_EQ(parse_timeout("0.05"), 0.05);
  EXPECT_EQ(parse_timeout("1e3"), 1000.0);
  EXPECT_EQ(parse_timeout("2592000"), kMaxTimeoutSeconds);
}

TEST(ParseTimeout, RefusesWhatWouldOverflowTheClockOrIsNotANumber) {
  for (const char* bad : {"", "nan", "NaN", "inf", "-inf", "infinity", "-1", "-0.5", "1e10",
                          "2592001", "1e309", "0x10", "5s", " 5", "1..2", "e"}) {
    EXPECT_FALSE(parse_timeout(bad).has_value()) << bad;
  }
}

TEST(ParseNames, ArchitecturesAndBackends) {
  EXPECT_EQ(parse_arch("aarch64"), Arch::kAarch64);
  EXPECT_EQ(parse_arch("arm64"), Arch::kAarch64);
  EXPECT_EQ(parse_arch("riscv64"), Arch::kRiscv64);
  EXPECT_EQ(parse_arch("amd64"), Arch::kX86_64);
  EXPECT_FALSE(parse_arch("mips").has_value());
  EXPECT_EQ(parse_backend("kvm"), Backend::kKvm);
  EXPECT_FALSE(parse_backend("xen").has_value());
}

}  // namespace
}  // namespace tandem::cli

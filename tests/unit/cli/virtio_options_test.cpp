// SPDX-License-Identifier: Apache-2.0
#include "cli/virtio_options.h"

#include <gtest/gtest.h>

#include <fstream>

#include "cli/console_sink.h"

namespace tandem::cli {
namespace {

TEST(ParseDrive, TakesQemuStyleKeys) {
  std::string error;
  auto d = parse_drive("file=disk.img", error);
  ASSERT_TRUE(d.has_value()) << error;
  EXPECT_EQ(d->file, "disk.img");
  EXPECT_FALSE(d->read_only);
  d = parse_drive("file=/a/b.img,readonly", error);
  ASSERT_TRUE(d.has_value()) << error;
  EXPECT_TRUE(d->read_only);
  d = parse_drive("format=raw,file=x,readonly=on,if=virtio", error);
  ASSERT_TRUE(d.has_value()) << error;
  EXPECT_EQ(d->file, "x");
  EXPECT_TRUE(d->read_only);
  d = parse_drive("file=x,readonly=off", error);
  ASSERT_TRUE(d.has_value()) << error;
  EXPECT_FALSE(d->read_only);
}

TEST(ParseDrive, RefusesWhatItDoesNotHaveWithTheReason) {
  for (const char* bad :
       {"", "disk.img", "file=", "readonly", "file=x,format=qcow2", "file=x,if=ide",
        "file=x,readonly=yes", "file=x,,", "file=x,cache=none"}) {
    std::string error;
    EXPECT_FALSE(parse_drive(bad, error).has_value()) << bad;
    EXPECT_NE(error.find("--drive"), std::string::npos) << bad;
  }
}

TEST(VirtioSet, RefusesAnImageNotAWholeNumberOfSectors) {
  const std::string path = ::testing::TempDir() + "/odd.img";
  std::ofstream(path) << std::string(1000, 'x');
  VirtioOptions opts;
  opts.drives.push_back({path, false});
  StdoutSink console;
  EXPECT_EQ(VirtioSet::create(opts, console, [] {}), nullptr);
  std::ofstream(path) << std::string(1024, 'x');
  auto set = VirtioSet::create(opts, console, [] {});
  ASSERT_NE(set, nullptr);
  EXPECT_EQ(set->devices().size(), 1u);
  opts.rng = true;
  opts.console = true;
  EXPECT_EQ(VirtioSet::create(opts, console, [] {})->devices().size(), 3u);
  opts.drives[0].file = path + ".missing";
  EXPECT_EQ(VirtioSet::create(opts, console, [] {}), nullptr);
}

}  // namespace
}  // namespace tandem::cli

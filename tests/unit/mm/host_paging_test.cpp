// SPDX-License-Identifier: Apache-2.0
// The hosted frame allocator: aligned ranges, and guest-RAM-sized ones advised for
// transparent huge pages as QEMU advises its RAM blocks.
#include "backends/hosted/host_paging.h"

#include <gtest/gtest.h>

#include <cinttypes>
#include <cstdio>
#include <sstream>
#include <string>

namespace tandem {
namespace {

// The VmFlags of the /proc/self/smaps entry that holds `addr`, or "" if none does.
std::string vm_flags_at(uintptr_t addr) {
  FILE* smaps = std::fopen("/proc/self/smaps", "re");
  if (smaps == nullptr) return "";
  char line[512];
  bool in_entry = false;
  std::string flags;
  while (std::fgets(line, sizeof line, smaps) != nullptr) {
    uintptr_t from = 0;
    uintptr_t to = 0;
    if (std::sscanf(line, "%" SCNxPTR "-%" SCNxPTR " ", &from, &to) == 2 && line[0] != 'V') {
      in_entry = from <= addr && addr < to;
    } else if (in_entry && std::string(line).rfind("VmFlags:", 0) == 0) {
      flags = line + 8;
      break;
    }
  }
  std::fclose(smaps);
  return flags;
}

bool has_flag(const std::string& flags, const std::string& flag) {
  std::istringstream words(flags);
  std::string word;
  while (words >> word)
    if (word == flag) return true;
  return false;
}

TEST(HostPaging, GuestRamSizedRangesAreAlignedAndAdvisedForHugePages) {
  hosted::HostPagingHandler handler;
  constexpr size_t kFrames = (size_t{4} << 20) / kFrameSize;
  auto hpa = handler.alloc_frames(kFrames, (size_t{2} << 20) / kFrameSize);
  ASSERT_TRUE(hpa.ok());
  EXPECT_TRUE(hpa->is_aligned(kPageSize2M));
  const std::string flags = vm_flags_at(hpa->raw());
  ASSERT_FALSE(flags.empty()) << "no smaps entry holds the range";
  EXPECT_TRUE(has_flag(flags, "hg")) << "VmFlags:" << flags;
  EXPECT_EQ(handler.frames_in_use(), kFrames);
  handler.free_frames(*hpa, kFrames);
  EXPECT_EQ(handler.frames_in_use(), 0u);
}

TEST(HostPaging, SmallRangesAreNotAdvised) {
  hosted::HostPagingHandler handler;
  auto hpa = handler.alloc_frames(4, 1);
  ASSERT_TRUE(hpa.ok());
  const std::string flags = vm_flags_at(hpa->raw());
  ASSERT_FALSE(flags.empty()) << "no smaps entry holds the range";
  EXPECT_FALSE(has_flag(flags, "hg")) << "VmFlags:" << flags;
  handler.free_frames(*hpa, 4);
}

}  // namespace
}  // namespace tandem

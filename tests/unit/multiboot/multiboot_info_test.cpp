// SPDX-License-Identifier: Apache-2.0
// Multiboot Specification 0.6.96, 3.3 "Boot information format", and the 3.2 entry state.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "core/loader/multiboot.h"

namespace tandem::multiboot {
namespace {

uint32_t get32(const std::vector<uint8_t>& b, size_t off) {
  uint32_t v;
  std::memcpy(&v, b.data() + off, 4);
  return v;
}

uint64_t get64(const std::vector<uint8_t>& b, size_t off) {
  uint64_t v;
  std::memcpy(&v, b.data() + off, 8);
  return v;
}

// A PC-like map of 64 MiB of RAM: conventional memory, the legacy hole, extended memory.
const MemoryRange kPcMap[] = {
    {0x0, 0x9fc00, MemoryType::kAvailable},
    {0x9fc00, 0x60400, MemoryType::kReserved},
    {0x100000, 0x3f00000, MemoryType::kAvailable},
};
constexpr uint64_t kInfoGpa = 0x9000;

TEST(MultibootInfo, FieldsMemoryMapCommandLineAndLoaderName) {
  const std::string cmdline = "console=ttyS0 quiet";
  InfoSetup setup{kPcMap, {cmdline.data(), cmdline.size()}};
  std::vector<uint8_t> out(4096, 0xee);
  auto used = build_info(setup, Gpa(kInfoGpa), out);
  ASSERT_TRUE(used.ok());

  EXPECT_EQ(get32(out, 0), kInfoMemory | kInfoCmdline | kInfoMmap | kInfoLoaderName);
  EXPECT_EQ(get32(out, 4), 0x9fc00u / 1024);    // mem_lower: 639 KiB
  EXPECT_EQ(get32(out, 8), 0x3f00000u / 1024);  // mem_upper: from 1 MiB to the end of RAM
  EXPECT_EQ(get32(out, 20), 0u);                // no modules

  const uint32_t mmap_length = get32(out, 44), mmap_addr = get32(out, 48);
  ASSERT_EQ(mmap_length, 3u * 24);
  ASSERT_GE(mmap_addr, kInfoGpa + kInfoSize);
  // Walk the map the way the spec's example kernel does: size excludes the size field.
  size_t off = mmap_addr - kInfoGpa, n = 0;
  while (off < mmap_addr - kInfoGpa + mmap_length) {
    ASSERT_LT(n, 3u);
    EXPECT_EQ(get32(out, off), 20u);
    EXPECT_EQ(get64(out, off + 4), kPcMap[n].base);
    EXPECT_EQ(get64(out, off + 12), kPcMap[n].size);
    EXPECT_EQ(get32(out, off + 20), static_cast<uint32_t>(kPcMap[n].type));
    off += get32(out, off) + 4;
    ++n;
  }
  EXPECT_EQ(n, 3u);

  const uint32_t cmd = get32(out, 16), name = get32(out, 64);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(out.data() + (cmd - kInfoGpa))), cmdline);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(out.data() + (name - kInfoGpa))), "Tandem");
  EXPECT_EQ(*used, name - kInfoGpa + sizeof "Tandem");
  EXPECT_EQ(out[*used], 0xee);  // nothing written past what it reports
}

TEST(MultibootInfo, NoCommandLineMeansNoCmdlineFlag) {
  std::vector<uint8_t> out(4096);
  ASSERT_TRUE(build_info({kPcMap, {}}, Gpa(kInfoGpa), out).ok());
  EXPECT_EQ(get32(out, 0) & kInfoCmdline, 0u);
  EXPECT_EQ(get32(out, 16), 0u);
}

TEST(MultibootInfo, MemLowerAndUpperFollowTheAvailableRanges) {
  std::vector<uint8_t> out(4096);
  // RAM that starts at 1 MiB only: no conventional memory; the upper run stops at a gap.
  const MemoryRange high[] = {{0x100000, 0x100000, MemoryType::kAvailable},
                              {0x200000, 0x100000, MemoryType::kAvailable},
                              {0x400000, 0x100000, MemoryType::kAvailable}};
  ASSERT_TRUE(build_info({high, {}}, Gpa(kInfoGpa), out).ok());
  EXPECT_EQ(get32(out, 4), 0u);
  EXPECT_EQ(get32(out, 8), 2048u);
  // One flat range from 0: lower memory is capped at 640 KiB.
  const MemoryRange flat[] = {{0, 0x800000, MemoryType::kAvailable}};
  ASSERT_TRUE(build_info({flat, {}}, Gpa(kInfoGpa), out).ok());
  EXPECT_EQ(get32(out, 4), 640u);
  EXPECT_EQ(get32(out, 8), 7u * 1024);
}

TEST(MultibootInfo, RefusesWhatCannotBeBuilt) {
  std::vector<uint8_t> out(4096);
  EXPECT_EQ(build_info({kPcMap, {}}, Gpa(kInfoGpa + 4), out).error(), Status::kUnaligned);
  std::vector<uint8_t> small(kInfoSize);
  EXPECT_EQ(build_info({kPcMap, {}}, Gpa(kInfoGpa), small).error(), Status::kCapacity);
  EXPECT_EQ(build_info({kPcMap, {}}, Gpa(0xffffff80), out).error(), Status::kOutOfRange);
  EXPECT_EQ(build_info({kPcMap, {}}, Gpa(1ull << 32), out).error(), Status::kOutOfRange);
  EXPECT_EQ(build_info({{}, {}}, Gpa(kInfoGpa), out).error(), Status::kInvalidArgument);
  const MemoryRange overlap[] = {{0, 0x2000, MemoryType::kAvailable},
                                 {0x1000, 0x1000, MemoryType::kReserved}};
  EXPECT_EQ(build_info({overlap, {}}, Gpa(kInfoGpa), out).error(), Status::kInvalidArgument);
  const MemoryRange wraps[] = {{~0ull - 0xfff, 0x2000, MemoryType::kAvailable}};
  EXPECT_EQ(build_info({wraps, {}}, Gpa(kInfoGpa), out).error(), Status::kInvalidArgument);
  const MemoryRange empty[] = {{0x1000, 0, MemoryType::kAvailable}};
  EXPECT_EQ(build_info({empty, {}}, Gpa(kInfoGpa), out).error(), Status::kInvalidArgument);
  const MemoryRange odd_type[] = {{0, 0x1000, static_cast<MemoryType>(7)}};
  EXPECT_EQ(build_info({odd_type, {}}, Gpa(kInfoGpa), out).error(), Status::kInvalidArgument);
}

TEST(MultibootEntry, BootStateHasTheMagicTheInfoAddressAndProtectedMode) {
  Image image;
  image.entry = 0x100010;
  X86LongModeState pm;
  pm.cr0 = 0x11;
  BootState boot = boot_state(image, Gpa(kInfoGpa), pm);
  EXPECT_EQ(boot.pc, 0x100010u);
  EXPECT_EQ(boot.args[0], kBootMagic);
  EXPECT_EQ(boot.args[1], kInfoGpa);
  EXPECT_EQ(boot.x86.cr0, 0x11u);
  EXPECT_EQ(boot.x86_mode, X86EntryMode::kProtected32);
}

}  // namespace
}  // namespace tandem::multiboot

// SPDX-License-Identifier: Apache-2.0
// The Linux zero page against Documentation/arch/x86/zero-page.rst and boot.rst: the setup
// header at 0x1f1, the loader's fields, 64-bit values split into their ext_ halves, the e820
// table at 0x2d0 (20-byte entries) and its count at 0x1e8; and the PC memory map itself.
#include "core/arch/x86_64/boot_params.h"

#include <gtest/gtest.h>

#include <array>
#include <vector>

#include "core/base/le_bytes.h"
#include "core/loader/bzimage.h"

namespace tandem::x86 {
namespace {

uint64_t at(const std::array<uint8_t, kBootParamsSize>& p, size_t off, unsigned n) {
  return load_le(p.data() + off, n);
}

TEST(PcMemoryMap, DescribesLowMemoryTheBiosAreaAndExtendedMemory) {
  E820Entry map[kPcMemoryMapEntries];
  ASSERT_EQ(pc_memory_map(256ull << 20, 0, map), 5u);
  EXPECT_EQ(map[0].base, 0u);
  EXPECT_EQ(map[0].size, 0x9fc00u);
  EXPECT_EQ(map[0].type, E820Type::kAvailable);
  EXPECT_EQ(map[1].type, E820Type::kReserved);
  EXPECT_EQ(map[2].base, kBiosAreaBase);
  EXPECT_EQ(map[2].base + map[2].size, 0x100000u);
  EXPECT_EQ(map[2].type, E820Type::kReserved);
  EXPECT_EQ(map[3].base, 0x100000u);
  EXPECT_EQ(map[3].base + map[3].size, 256ull << 20);
  EXPECT_EQ(map[4].base, 0xfffc0000u);
  ASSERT_EQ(pc_memory_map(256ull << 20, 0x20000, map), 6u);
  EXPECT_EQ(map[3].base + map[3].size, (256ull << 20) - 0x20000);
  EXPECT_EQ(map[4].base, (256ull << 20) - 0x20000);
  EXPECT_EQ(map[4].type, E820Type::kReserved);
}

TEST(BootParams, CopiesTheHeaderAndFillsTheLoaderFields) {
  std::vector<uint8_t> header(0x26c - bzimage::kHeaderStart, 0);
  for (size_t i = 0; i < header.size(); ++i) header[i] = static_cast<uint8_t>(i * 7 + 1);
  E820Entry map[kPcMemoryMapEntries];
  const size_t n = pc_memory_map(128ull << 20, 0, map);
  std::array<uint8_t, kBootParamsSize> p;
  p.fill(0xcc);
  BootParamsSetup setup{header, 0x20000, 0x1'2345'6000, 0x54321, 0xf0000, std::span(map, n)};
  ASSERT_TRUE(build_boot_params(setup, p).ok());
  EXPECT_EQ(at(p, 0, 8), 0u);  // zeroed outside the fields
  EXPECT_EQ(at(p, 0x1f0, 1), 0u);
  for (size_t i = 0; i < header.size(); ++i) {
    const size_t off = bzimage::kHeaderStart + i;
    if (off == bzimage::kTypeOfLoader || (off >= bzimage::kRamdiskImage && off < 0x220) ||
        (off >= bzimage::kCmdLinePtr && off < 0x22c))
      continue;
    ASSERT_EQ(p[off], header[i]) << std::hex << off;
  }
  EXPECT_EQ(at(p, 0x210, 1), 0xffu);  // type_of_loader: undefined
  EXPECT_EQ(at(p, 0x228, 4), 0x20000u);
  EXPECT_EQ(at(p, 0x0c8, 4), 0u);
  EXPECT_EQ(at(p, 0x218, 4), 0x23456000u);  // ramdisk_image, then ext_ramdisk_image
  EXPECT_EQ(at(p, 0x0c0, 4), 1u);
  EXPECT_EQ(at(p, 0x21c, 4), 0x54321u);
  EXPECT_EQ(at(p, 0x0c4, 4), 0u);
  EXPECT_EQ(at(p, 0x070, 8), 0xf0000u);  // acpi_rsdp_addr
  EXPECT_EQ(at(p, 0x1e8, 1), n);
  for (size_t i = 0; i < n; ++i) {
    const size_t e = 0x2d0 + 20 * i;
    EXPECT_EQ(at(p, e, 8), map[i].base);
    EXPECT_EQ(at(p, e + 8, 8), map[i].size);
    EXPECT_EQ(at(p, e + 16, 4), static_cast<uint32_t>(map[i].type));
  }
  EXPECT_EQ(at(p, 0x2d0 + 20 * n, 8), 0u);
}

TEST(BootParams, RefusesHeadersAndMapsThatDoNotFit) {
  std::array<uint8_t, kBootParamsSize> p{};
  std::vector<uint8_t> long_header(0x2d0 - 0x1f1 + 1, 0);
  EXPECT_EQ(build_boot_params({long_header, 0, 0, 0, 0, {}}, p).error(), Status::kInvalidArgument);
  std::vector<uint8_t> short_header(0x20, 0);
  EXPECT_EQ(build_boot_params({short_header, 0, 0, 0, 0, {}}, p).error(), Status::kInvalidArgument);
  std::vector<uint8_t> header(0x26c - 0x1f1, 0);
  std::vector<E820Entry> many(kE820MaxEntries + 1, E820Entry{0, 0x1000, E820Type::kAvailable});
  EXPECT_EQ(build_boot_params({header, 0, 0, 0, 0, many}, p).error(), Status::kInvalidArgument);
}

}  // namespace
}  // namespace tandem::x86

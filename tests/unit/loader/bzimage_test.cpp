// SPDX-License-Identifier: Apache-2.0
// bzImage setup-header checks against Documentation/arch/x86/boot.rst: field offsets of "The
// Real-Mode Kernel Header", setup_sects 0 meaning 4, the header length from the jump at 0x200,
// and a clear refusal of anything short, foreign or without the 64-bit entry.
#include "core/loader/bzimage.h"

#include <gtest/gtest.h>

#include <vector>

#include "core/base/le_bytes.h"

namespace tandem::bzimage {
namespace {

// A bzImage as the Debian 6.1 kernel's header describes itself (protocol 2.15, relocatable,
// 64-bit entry), with 27 setup sectors and `kernel` bytes of protected-mode code.
std::vector<uint8_t> make_image(uint8_t setup_sects = 27, size_t kernel = 0x4000) {
  const size_t setup = (size_t{setup_sects == 0 ? 4u : setup_sects} + 1) * 512;
  std::vector<uint8_t> f(setup + kernel, 0);
  auto put = [&](size_t at, uint64_t v, unsigned n) { store_le(f.data() + at, v, n); };
  f[kSetupSects] = setup_sects;
  put(kBootFlag, 0xaa55, 2);
  f[kJump] = 0xeb;
  f[kJump + 1] = 0x6a;  // header ends at 0x26c
  put(kMagic, kHeaderMagic, 4);
  put(kVersion, 0x020f, 2);
  f[kLoadflags] = LOADED_HIGH;
  put(kInitrdAddrMax, 0x7fffffff, 4);
  put(kKernelAlignment, 0x200000, 4);
  f[kRelocatableKernel] = 1;
  put(kXloadflags, XLF_KERNEL_64 | 0x2, 2);
  put(kCmdlineSize, 2047, 4);
  put(kPrefAddress, 0x1000000, 8);
  put(kInitSize, 0x3380000, 4);
  return f;
}

TEST(BzImage, ParsesTheSetupHeader) {
  const auto f = make_image();
  auto img = parse(f);
  ASSERT_TRUE(img.ok());
  EXPECT_EQ(img->version, 0x020f);
  EXPECT_EQ(img->header_end, 0x26cu);
  EXPECT_EQ(img->kernel_offset, 28u * 512);
  EXPECT_EQ(img->kernel_size, 0x4000u);
  EXPECT_TRUE(img->relocatable);
  EXPECT_EQ(img->kernel_alignment, 0x200000u);
  EXPECT_EQ(img->pref_address, 0x1000000u);
  EXPECT_EQ(img->init_size, 0x3380000u);
  EXPECT_EQ(img->cmdline_size, 2047u);
  EXPECT_EQ(img->initrd_addr_max, 0x7fffffffu);
}

TEST(BzImage, SetupSectsZeroMeansFour) {
  const auto f = make_image(0);
  auto img = parse(f);
  ASSERT_TRUE(img.ok());
  EXPECT_EQ(img->kernel_offset, 5u * 512);
}

TEST(BzImage, TruncatedFilesAreBadImages) {
  const auto f = make_image();
  for (size_t n :
       {size_t{0}, size_t{0x1f1}, size_t{0x263}, size_t{28 * 512}, size_t{28 * 512 + 0x200}}) {
    std::vector<uint8_t> cut(f.begin(), f.begin() + static_cast<ptrdiff_t>(n));
    EXPECT_EQ(parse(cut).error(), Status::kBadImage) << n << " bytes";
  }
}

TEST(BzImage, ForeignFilesAreBadImages) {
  auto no_flag = make_image();
  no_flag[kBootFlag] = 0;
  EXPECT_EQ(parse(no_flag).error(), Status::kBadImage);
  auto no_magic = make_image();
  no_magic[kMagic] = 'X';
  EXPECT_EQ(parse(no_magic).error(), Status::kBadImage);
  std::vector<uint8_t> elf(0x4000, 0);
  elf[0] = 0x7f, elf[1] = 'E', elf[2] = 'L', elf[3] = 'F';
  EXPECT_EQ(parse(elf).error(), Status::kBadImage);
}

TEST(BzImage, KernelsWithoutA64BitEntryAreUnsupported) {
  auto old = make_image();
  store_le(old.data() + kVersion, 0x020b, 2);
  EXPECT_EQ(parse(old).error(), Status::kUnsupported);
  auto no64 = make_image();
  store_le(no64.data() + kXloadflags, 0x2, 2);
  EXPECT_EQ(parse(no64).error(), Status::kUnsupported);
  auto zimage = make_image();
  zimage[kLoadflags] = 0;
  EXPECT_EQ(parse(zimage).error(), Status::kUnsupported);
}

TEST(BzImage, ContradictoryFieldsAreBadImages) {
  auto odd_align = make_image();
  store_le(odd_align.data() + kKernelAlignment, 0x300000, 4);
  EXPECT_EQ(parse(odd_align).error(), Status::kBadImage);
  auto misaligned = make_image();
  store_le(misaligned.data() + kPrefAddress, 0x1100000, 8);
  EXPECT_EQ(parse(misaligned).error(), Status::kBadImage);
  auto small_init = make_image();
  store_le(small_init.data() + kInitSize, 0x1000, 4);
  EXPECT_EQ(parse(small_init).error(), Status::kBadImage);
  auto short_header = make_image();
  short_header[kJump + 1] = 0x20;  // ends before init_size
  EXPECT_EQ(parse(short_header).error(), Status::kBadImage);
  auto setup_past_end = make_image(255, 0x100);
  setup_past_end.resize(20 * 512);
  EXPECT_EQ(parse(setup_past_end).error(), Status::kBadImage);
}

}  // namespace
}  // namespace tandem::bzimage

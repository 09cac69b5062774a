// SPDX-License-Identifier: Apache-2.0
// Kernel files are built byte by byte here: the Image headers as Linux's booting.rst and
// boot-image-header.rst lay them out, with the field values of Debian's kernels (6.1.0 cloud
// arm64: text_offset 0, image_size 0x1aa0000, flags 0xa, EFI stub with its PE header at 0x40;
// 6.12 riscv64: text_offset 0x200000, image_size 0x1e6c000, version 0.2, EFI stub). Every parse
// runs on an exact-size heap copy, so an out-of-bounds read shows under ASan.
#include "core/loader/kernel_image.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <vector>

namespace tandem {
namespace {

using Bytes = std::vector<uint8_t>;

void put(Bytes& b, size_t at, uint64_t v, size_t n) {
  if (b.size() < at + n) b.resize(at + n);
  for (size_t i = 0; i < n; ++i) b[at + i] = static_cast<uint8_t>(v >> (8 * i));
}
void put_str(Bytes& b, size_t at, const char* s, size_t n) {
  if (b.size() < at + n) b.resize(at + n);
  std::memcpy(b.data() + at, s, n);
}

constexpr uint16_t kPeArm64 = 0xaa64, kPeRiscv64 = 0x5064, kPeAmd64 = 0x8664;

// An EFI stub: "MZ" at 0, the PE header at 0x40 with the machine.
void add_efi_stub(Bytes& b, uint16_t machine) {
  put_str(b, 0, "MZ", 2);
  put(b, 0x3c, 0x40, 4);
  put_str(b, 0x40, "PE\0\0", 4);
  put(b, 0x44, machine, 2);
}

// Debian 12's arm64 cloud kernel's header, `size` bytes of file.
Bytes debian_arm64(size_t size = 4096) {
  Bytes b(size, 0);
  put(b, 0x08, 0, 8);          // text_offset
  put(b, 0x10, 0x1aa0000, 8);  // image_size
  put(b, 0x18, 0xa, 8);        // flags: little-endian, 4K pages, anywhere
  put_str(b, 0x38, "ARM\x64", 4);
  add_efi_stub(b, kPeArm64);
  return b;
}

// Debian 13's riscv64 kernel's header.
Bytes debian_riscv64(size_t size = 4096) {
  Bytes b(size, 0);
  put(b, 0x08, 0x200000, 8);
  put(b, 0x10, 0x1e6c000, 8);
  put(b, 0x18, 0, 8);
  put(b, 0x20, 2, 4);  // version 0.2
  put_str(b, 0x30, "RISCV\0\0\0", 8);
  put_str(b, 0x38, "RSC\x05", 4);
  add_efi_stub(b, kPeRiscv64);
  return b;
}

// A minimal ELF64 executable with one PT_LOAD segment.
Bytes elf(uint16_t machine) {
  Bytes b(64 + 56 + 16, 0);
  put_str(b, 0,
          "\x7f"
          "ELF",
          4);
  b[4] = 2, b[5] = 1, b[6] = 1;
  put(b, 16, 2, 2);  // ET_EXEC
  put(b, 18, machine, 2);
  put(b, 20, 1, 4);
  put(b, 24, 0x40000000, 8);  // entry
  put(b, 32, 64, 8);          // e_phoff
  put(b, 52, 64, 2);
  put(b, 54, 56, 2);
  put(b, 56, 1, 2);
  put(b, 64, 1, 4);        // PT_LOAD
  put(b, 64 + 8, 120, 8);  // p_offset
  put(b, 64 + 24, 0x40000000, 8);
  put(b, 64 + 32, 16, 8);
  put(b, 64 + 40, 16, 8);
  return b;
}

struct Outcome {
  Status status;
  ImageError why;
};

Outcome detect(const Bytes& b) {
  ImageError why = ImageError::kNone;
  auto r = detect_kernel_format(b, &why);
  return {r.error(), why};
}

Outcome parse(const Bytes& b, Arch arch) {
  ImageError why = ImageError::kNone;
  auto r = parse_kernel(b, arch, &why);
  return {r.error(), why};
}

void expect(Outcome got, Status status, ImageError why) {
  EXPECT_EQ(got.status, status);
  EXPECT_EQ(got.why, why) << describe(got.why);
}

// parse_kernel's result, which must be a success.
KernelImage parsed(const Bytes& b, Arch arch) {
  ImageError why = ImageError::kNone;
  auto k = parse_kernel(b, arch, &why);
  EXPECT_TRUE(k) << describe(why);
  return k ? *k : KernelImage{};
}

TEST(KernelImage, DebianArm64Image) {
  const Bytes b = debian_arm64();
  EXPECT_EQ(detect_kernel_format(b, nullptr).value_or(KernelFormat::kRaw),
            KernelFormat::kArm64Image);
  const KernelImage k = parsed(b, Arch::kAarch64);
  EXPECT_EQ(k.format, KernelFormat::kArm64Image);
  EXPECT_EQ(k.arch, Arch::kAarch64);
  EXPECT_EQ(k.text_offset, 0u);
  EXPECT_EQ(k.size, 0x1aa0000u);
  EXPECT_EQ(k.file_size, 4096u);
  EXPECT_EQ(k.page_size_kib, 4u);
  EXPECT_TRUE(k.anywhere);
  EXPECT_TRUE(k.efi_stub);
}

TEST(KernelImage, DebianRiscv64ImageBehindItsEfiStub) {
  const KernelImage k = parsed(debian_riscv64(), Arch::kRiscv64);
  EXPECT_EQ(k.format, KernelFormat::kRiscvImage);
  EXPECT_EQ(k.arch, Arch::kRiscv64);
  EXPECT_EQ(k.text_offset, 0x200000u);
  EXPECT_EQ(k.size, 0x1e6c000u);
  EXPECT_EQ(k.riscv_version, 2u);
  EXPECT_TRUE(k.efi_stub);
}

TEST(KernelImage, ImagesWithoutEfiStub) {
  Bytes a = debian_arm64();
  put(a, 0, 0x14000010, 4);  // b +0x40: a plain branch, no "MZ"
  put(a, 0x3c, 0, 4);
  auto k = parse_arm64_image(a, nullptr);
  ASSERT_TRUE(k);
  EXPECT_FALSE(k->efi_stub);

  // Header 0.1 (before Linux 5.5): only the deprecated "RISCV" magic at 0x30.
  Bytes r(256, 0);
  put(r, 0x08, 0x200000, 8);
  put(r, 0x10, 0x100000, 8);
  put(r, 0x20, 1, 4);
  put_str(r, 0x30, "RISCV\0\0\0", 8);
  const KernelImage rk = parsed(r, Arch::kRiscv64);
  EXPECT_EQ(rk.format, KernelFormat::kRiscvImage);
  EXPECT_FALSE(rk.efi_stub);
  EXPECT_EQ(rk.riscv_version, 1u);
}

TEST(KernelImage, Arm64FlagsPageSizeAndPlacement) {
  // flags bits 2:1 (booting.rst): 0 unspecified, 1 4K, 2 16K, 3 64K; bit 3: anywhere.
  const uint32_t want[4] = {0, 4, 16, 64};
  for (uint64_t ps = 0; ps < 4; ++ps) {
    Bytes b = debian_arm64();
    put(b, 0x18, ps << 1, 8);
    auto k = parse_arm64_image(b, nullptr);
    ASSERT_TRUE(k);
    EXPECT_EQ(k->page_size_kib, want[ps]);
    EXPECT_FALSE(k->anywhere);
  }
}

TEST(KernelImage, Arm64WithoutImageSizeIsPre317) {
  // image_size 0: text_offset is 0x80000 whatever the field says, the size is the file's.
  Bytes b = debian_arm64(8192);
  put(b, 0x08, 0x12345, 8);
  put(b, 0x10, 0, 8);
  put(b, 0x18, 0xe, 8);  // flags did not exist yet: ignored
  auto k = parse_arm64_image(b, nullptr);
  ASSERT_TRUE(k);
  EXPECT_EQ(k->text_offset, kArm64LegacyTextOffset);
  EXPECT_EQ(k->size, 8192u);
  EXPECT_EQ(k->page_size_kib, 0u);
  EXPECT_FALSE(k->anywhere);
}

TEST(KernelImage, ImageSizeBelowTheFileKeepsTheFile) {
  Bytes b = debian_riscv64(0x3000);
  put(b, 0x10, 0x1000, 8);
  auto k = parse_riscv_image(b, nullptr);
  ASSERT_TRUE(k);
  EXPECT_EQ(k->size, 0x3000u);
}

TEST(KernelImage, BigEndianKernelsAreRefused) {
  Bytes a = debian_arm64();
  put(a, 0x18, 0xb, 8);
  expect(parse(a, Arch::kAarch64), Status::kUnsupported, ImageError::kBigEndian);
  Bytes r = debian_riscv64();
  put(r, 0x18, 1, 8);
  expect(parse(r, Arch::kRiscv64), Status::kUnsupported, ImageError::kBigEndian);
}

TEST(KernelImage, WrongArchitecture) {
  expect(parse(debian_arm64(), Arch::kRiscv64), Status::kUnsupported, ImageError::kWrongArch);
  expect(parse(debian_riscv64(), Arch::kAarch64), Status::kUnsupported, ImageError::kWrongArch);
  expect(parse(elf(62), Arch::kAarch64), Status::kUnsupported, ImageError::kWrongArch);
  EXPECT_EQ(parsed(elf(183), Arch::kAarch64).format, KernelFormat::kElf);
}

TEST(KernelImage, BadElfFiles) {
  Bytes truncated = elf(183);
  truncated.resize(100);  // program header cut
  expect(parse(truncated, Arch::kAarch64), Status::kBadImage, ImageError::kBadElf);
  expect(parse(elf(40), Arch::kAarch64), Status::kUnsupported, ImageError::kElfUnsupported);
  Bytes header_only(30, 0);
  put_str(header_only, 0,
          "\x7f"
          "ELF",
          4);
  expect(detect(header_only), Status::kBadImage, ImageError::kTruncatedHeader);
}

TEST(KernelImage, EfiStubMustAgreeWithTheImageHeader) {
  Bytes mismatch = debian_arm64();
  put(mismatch, 0x44, kPeRiscv64, 2);
  expect(parse(mismatch, Arch::kAarch64), Status::kBadImage, ImageError::kPeMachineMismatch);
  Bytes amd = debian_riscv64();
  put(amd, 0x44, kPeAmd64, 2);
  expect(parse(amd, Arch::kRiscv64), Status::kBadImage, ImageError::kPeMachineMismatch);

  const uint64_t bad_offsets[] = {0, 0x3c, 4094, 4096, 0xffffffff};
  for (uint64_t off : bad_offsets) {
    Bytes b = debian_arm64();
    put(b, 0x3c, off, 4);
    expect(parse(b, Arch::kAarch64), Status::kBadImage, ImageError::kBadPeHeader);
  }
  Bytes no_signature = debian_riscv64();
  put_str(no_signature, 0x40, "NE\0\0", 4);
  expect(parse(no_signature, Arch::kRiscv64), Status::kBadImage, ImageError::kBadPeHeader);
  // "PE\0\0" as the file's last four bytes: no room for the machine field.
  Bytes cut = debian_arm64();
  cut.resize(0x44);
  expect(parse(cut, Arch::kAarch64), Status::kBadImage, ImageError::kBadPeHeader);
}

TEST(KernelImage, RecognisedFilesThatAreNotBootable) {
  const struct {
    Bytes head;
    ImageError why;
  } cases[] = {
      {{0x1f, 0x8b, 8, 0}, ImageError::kCompressed},
      {{0xfd, '7', 'z', 'X', 'Z', 0}, ImageError::kCompressed},
      {{0x28, 0xb5, 0x2f, 0xfd}, ImageError::kCompressed},
      {{'B', 'Z', 'h', '9'}, ImageError::kCompressed},
      {{0x02, 0x21, 0x4c, 0x18}, ImageError::kCompressed},
      {{0x89, 'L', 'Z', 'O', 0}, ImageError::kCompressed},
      {{0x27, 0x05, 0x19, 0x56}, ImageError::kUImage},
      {{'M', 'Z', 0, 0, 'z', 'i', 'm', 'g'}, ImageError::kEfiZboot},
      {{'M', 'Z'}, ImageError::kPeWithoutImage},
  };
  for (const auto& c : cases) {
    Bytes b = c.head;
    b.resize(4096, 0);
    expect(detect(b), Status::kUnsupported, c.why);
    expect(parse(b, Arch::kAarch64), Status::kUnsupported, c.why);
  }
  // "HdrS" at 0x202 is a bzImage, whose setup header bzimage::parse judges.
  Bytes bz(0x1000, 0);
  put_str(bz, 0x202, "HdrS", 4);
  ASSERT_TRUE(detect_kernel_format(bz, nullptr));
  EXPECT_EQ(*detect_kernel_format(bz, nullptr), KernelFormat::kBzImage);
  expect(parse(bz, Arch::kX86_64), Status::kBadImage, ImageError::kBadBzImage);
}

TEST(KernelImage, RawBinaryTakesTheVmsArchitecture) {
  // U-Boot qemu_arm64 starts with a branch; anything unrecognised is raw.
  Bytes b(1000, 0);
  put(b, 0, 0x14000000 | 10, 4);
  for (Arch arch : {Arch::kAarch64, Arch::kRiscv64}) {
    const KernelImage k = parsed(b, arch);
    EXPECT_EQ(k.format, KernelFormat::kRaw);
    EXPECT_EQ(k.arch, arch);
    EXPECT_EQ(k.size, 1000u);
    EXPECT_EQ(k.file_size, 1000u);
  }
  expect(detect(Bytes{}), Status::kBadImage, ImageError::kEmpty);
}

TEST(KernelImage, TruncatedHeaders) {
  // An Image header needs 64 bytes: a shorter file that starts with "MZ" or shows the magic at
  // 0x38 (from 60 bytes on) is truncated.
  const Bytes full = debian_arm64();
  for (size_t n = 2; n < 64; ++n) {
    Bytes b(full.begin(), full.begin() + static_cast<long>(n));
    SCOPED_TRACE(n);
    expect(parse(b, Arch::kAarch64), Status::kBadImage, ImageError::kTruncatedHeader);
    ImageError why = ImageError::kNone;
    EXPECT_EQ(parse_arm64_image(b, &why).error(), Status::kBadImage);
    EXPECT_EQ(why, ImageError::kTruncatedHeader);
    EXPECT_EQ(parse_riscv_image(b, &why).error(), Status::kBadImage);
  }
}

TEST(KernelImage, EveryPrefixAndEveryByteFlipIsHandled) {
  // No crash, no read past the end (ASan), and success only with a coherent result.
  for (const Bytes& full : {debian_arm64(0x48), debian_riscv64(0x48), elf(183)}) {
    for (size_t n = 0; n <= full.size(); ++n) {
      Bytes b(full.begin(), full.begin() + static_cast<long>(n));
      for (Arch arch : {Arch::kAarch64, Arch::kRiscv64}) {
        auto k = parse_kernel(b, arch, nullptr);
        if (k && k->format != KernelFormat::kElf) {
          EXPECT_GE(k->size, k->file_size);
          EXPECT_EQ(k->file_size, n);
        }
      }
    }
    for (size_t i = 0; i < full.size(); ++i) {
      Bytes b = full;
      b[i] ^= 0xff;
      auto k = parse_kernel(b, Arch::kAarch64, nullptr);
      if (k) {
        EXPECT_EQ(k->arch, Arch::kAarch64);
      }
    }
  }
}

TEST(KernelImage, X86KernelsAreIdentifiedForX86VmsOnly) {
  // A multiboot v1 header (magic, flags, checksum) 4-byte aligned in the first 8 KiB of a
  // non-ELF64 file: a multiboot image, for x86_64 VMs.
  Bytes mb(8192, 0);
  put(mb, 0x100, 0x1BADB002, 4);
  put(mb, 0x104, 0, 4);
  put(mb, 0x108, static_cast<uint32_t>(-0x1BADB002), 4);
  ImageError why = ImageError::kNone;
  auto k = identify_kernel(mb, &why);
  ASSERT_TRUE(k.ok());
  EXPECT_EQ(k->format, KernelFormat::kMultiboot);
  EXPECT_EQ(k->arch, Arch::kX86_64);
  expect(parse(mb, Arch::kAarch64), Status::kUnsupported, ImageError::kWrongArch);
  // The same header in a 32-bit ELF: still multiboot (QEMU and GRUB prefer the header).
  Bytes elf32 = mb;
  put_str(elf32, 0,
          "\x7f"
          "ELF",
          4);
  elf32[4] = 1;
  ASSERT_TRUE(identify_kernel(elf32, nullptr).ok());
  EXPECT_EQ(identify_kernel(elf32, nullptr)->format, KernelFormat::kMultiboot);
  // A bzImage the bzImage parser takes: protocol 2.15, 64-bit entry, loaded high.
  Bytes bz(28 * 512 + 0x4000, 0);
  bz[0x1f1] = 27;
  put(bz, 0x1fe, 0xaa55, 2);
  put(bz, 0x200, 0x6aeb, 2);
  put_str(bz, 0x202, "HdrS", 4);
  put(bz, 0x206, 0x020f, 2);
  bz[0x211] = 1;
  put(bz, 0x22c, 0x7fffffff, 4);
  put(bz, 0x230, 0x200000, 4);
  bz[0x234] = 1;
  put(bz, 0x236, 1, 2);
  put(bz, 0x238, 2047, 4);
  put(bz, 0x258, 0x1000000, 8);
  put(bz, 0x260, 0x1000000, 4);
  const KernelImage x = parsed(bz, Arch::kX86_64);
  EXPECT_EQ(x.format, KernelFormat::kBzImage);
  EXPECT_EQ(x.size, 0x1000000u);  // init_size
  expect(parse(bz, Arch::kRiscv64), Status::kUnsupported, ImageError::kWrongArch);
  // Protocol 2.02: no 64-bit entry.
  put(bz, 0x206, 0x0202, 2);
  expect(parse(bz, Arch::kX86_64), Status::kUnsupported, ImageError::kBzImageNot64);
}

TEST(KernelImage, EveryErrorHasItsOwnMessage) {
  for (int a = 0; a <= static_cast<int>(ImageError::kWrongArch); ++a)
    for (int b = a + 1; b <= static_cast<int>(ImageError::kWrongArch); ++b)
      EXPECT_STRNE(describe(static_cast<ImageError>(a)), describe(static_cast<ImageError>(b)));
}

}  // namespace
}  // namespace tandem

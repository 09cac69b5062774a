// SPDX-License-Identifier: Apache-2.0
// Kernel and initrd placement on the virt boards' RAM (aarch64 at 0x40000000, riscv64 at
// 0x80000000), with the sizes of Debian's kernels (arm64 6.1 cloud: image_size 0x1aa0000,
// text_offset 0; riscv64 6.12: image_size 0x1e6c000, text_offset 0x200000).
#include "core/loader/boot_layout.h"

#include <gtest/gtest.h>

#include <cstdint>

namespace tandem {
namespace {

constexpr uint64_t MiB = 1ull << 20;
constexpr RamRange kArmRam{Gpa(0x40000000), 512 * MiB};
constexpr RamRange kRiscvRam{Gpa(0x80000000), 512 * MiB};

KernelImage image(KernelFormat format, Arch arch, uint64_t text_offset, uint64_t size) {
  KernelImage k;
  k.format = format;
  k.arch = arch;
  k.text_offset = text_offset;
  k.size = size;
  k.file_size = size;
  return k;
}

const KernelImage kArm64 = image(KernelFormat::kArm64Image, Arch::kAarch64, 0, 0x1aa0000);
const KernelImage kRiscv = image(KernelFormat::kRiscvImage, Arch::kRiscv64, 0x200000, 0x1e6c000);

uint64_t load(const KernelImage& k, RamRange ram, uint64_t base) {
  PlacementError why = PlacementError::kNone;
  auto p = place_kernel(k, ram, Gpa(base), &why);
  EXPECT_TRUE(p) << describe(why);
  if (!p) return 0;
  EXPECT_EQ(p->end - p->load, k.size);
  return p->load.raw();
}

void expect_outside(const KernelImage& k, RamRange ram, uint64_t base) {
  PlacementError why = PlacementError::kNone;
  EXPECT_EQ(place_kernel(k, ram, Gpa(base), &why).error(), Status::kOutOfRange);
  EXPECT_EQ(why, PlacementError::kKernelOutsideRam);
}

TEST(BootLayout, Arm64ImageAtTextOffsetAboveA2MiBBoundary) {
  EXPECT_EQ(load(kArm64, kArmRam, 0x40000000), 0x40000000u);
  EXPECT_EQ(load(kArm64, kArmRam, 0x40200000), 0x40200000u);  // where QEMU puts it
  EXPECT_EQ(load(kArm64, kArmRam, 0x40000001), 0x40200000u);
  const KernelImage legacy = image(KernelFormat::kArm64Image, Arch::kAarch64, 0x80000, 0x800000);
  EXPECT_EQ(load(legacy, kArmRam, 0x40100000), 0x40280000u);
}

TEST(BootLayout, RiscvImageHonoursTextOffsetFromRamAndTheBoardsAddress) {
  EXPECT_EQ(load(kRiscv, kRiscvRam, 0x80000000), 0x80200000u);
  EXPECT_EQ(load(kRiscv, kRiscvRam, 0x80200000), 0x80200000u);
  EXPECT_EQ(load(kRiscv, kRiscvRam, 0x80300000), 0x80400000u);  // rv64 needs 2 MiB alignment
  const KernelImage odd = image(KernelFormat::kRiscvImage, Arch::kRiscv64, 0x1000, 0x1000);
  EXPECT_EQ(load(odd, kRiscvRam, 0x80000000), 0x80200000u);
}

TEST(BootLayout, RawBinaryExactlyAtTheBoardsAddress) {
  // U-Boot qemu-riscv64_smode as QEMU's -kernel: 0x80200000.
  const KernelImage uboot = image(KernelFormat::kRaw, Arch::kRiscv64, 0, 648896);
  EXPECT_EQ(load(uboot, kRiscvRam, 0x80200000), 0x80200000u);
  EXPECT_EQ(load(uboot, kRiscvRam, 0x80001234), 0x80001234u);
  expect_outside(uboot, kRiscvRam, 0x1000);      // below RAM
  expect_outside(uboot, kRiscvRam, 0xa0000000);  // at RAM's end
}

TEST(BootLayout, KernelBeyondRam) {
  const RamRange small{Gpa(0x40000000), 16 * MiB};
  expect_outside(kArm64, small, 0x40000000);  // image_size 26.7 MiB in 16 MiB
  expect_outside(kRiscv, RamRange{Gpa(0x80000000), 32 * MiB}, 0x80000000);
  // Fits exactly: ends at RAM's last byte.
  const KernelImage exact = image(KernelFormat::kArm64Image, Arch::kAarch64, 0, 16 * MiB);
  EXPECT_EQ(load(exact, small, 0x40000000), 0x40000000u);
  const KernelImage one_more = image(KernelFormat::kArm64Image, Arch::kAarch64, 0, 16 * MiB + 1);
  expect_outside(one_more, small, 0x40000000);
  // Offsets and bases that would overflow 64 bits.
  expect_outside(image(KernelFormat::kArm64Image, Arch::kAarch64, UINT64_MAX - 10, 1), kArmRam,
                 0x40000000);
  expect_outside(kArm64, kArmRam, UINT64_MAX - 5);
  expect_outside(image(KernelFormat::kRiscvImage, Arch::kRiscv64, UINT64_MAX, 1), kRiscvRam,
                 0x80000000);
  expect_outside(image(KernelFormat::kRaw, Arch::kRiscv64, 0, UINT64_MAX), kRiscvRam, 0x80000000);
}

TEST(BootLayout, ElfIsNotPlacedHere) {
  PlacementError why = PlacementError::kNone;
  const KernelImage elf = image(KernelFormat::kElf, Arch::kAarch64, 0, 0);
  EXPECT_EQ(place_kernel(elf, kArmRam, Gpa(0x40000000), &why).error(), Status::kUnsupported);
  EXPECT_EQ(why, PlacementError::kElfNotPlaced);
}

InitrdPlacement initrd(RamRange ram, uint64_t kernel_end, uint64_t size, uint64_t top = 0) {
  PlacementError why = PlacementError::kNone;
  auto p = place_initrd(ram, Gpa(kernel_end), size, top, &why);
  EXPECT_TRUE(p) << describe(why);
  return p ? *p : InitrdPlacement{};
}

void expect_too_big(RamRange ram, uint64_t kernel_end, uint64_t size, uint64_t top) {
  PlacementError why = PlacementError::kNone;
  EXPECT_EQ(place_initrd(ram, Gpa(kernel_end), size, top, &why).error(), Status::kOutOfRange);
  EXPECT_EQ(why, PlacementError::kInitrdTooBig);
}

TEST(BootLayout, InitrdAt128MiBOrHalfOfRam) {
  const InitrdPlacement p = initrd(kArmRam, 0x41aa0000, 986666);
  EXPECT_EQ(p.start.raw(), 0x48000000u);  // QEMU: RAM base + 128 MiB
  EXPECT_EQ(p.end.raw(), 0x48000000u + 986666);
  const RamRange small{Gpa(0x80000000), 128 * MiB};
  EXPECT_EQ(initrd(small, 0x80400000, 4096).start.raw(), 0x84000000u);  // half of RAM
}

TEST(BootLayout, InitrdAfterAKernelThatReachesHigher) {
  const RamRange small{Gpa(0x40000000), 64 * MiB};  // half: 0x42000000, below the kernel
  EXPECT_EQ(initrd(small, 0x42aa0001, 100).start.raw(), 0x42aa1000u);
  EXPECT_EQ(initrd(small, 0x42aa0000, 100).start.raw(), 0x42aa0000u);
}

TEST(BootLayout, InitrdMustFitBelowTheTopReserve) {
  const RamRange ram{Gpa(0x40000000), 64 * MiB};  // initrd from 0x42000000, 32 MiB left
  EXPECT_EQ(initrd(ram, 0, 30 * MiB, 2 * MiB).end.raw(), 0x43e00000u);
  expect_too_big(ram, 0, 30 * MiB + 1, 2 * MiB);
  expect_too_big(ram, 0, 33 * MiB, 0);
  expect_too_big(ram, 0, 1, 65 * MiB);
  expect_too_big(ram, UINT64_MAX - 100, 1, 0);  // a kernel end that cannot be page-aligned
}

TEST(BootLayout, ChosenInitrdEndIsExclusive) {
  const InitrdPlacement p = initrd(kRiscvRam, 0x82000000, 1036433);
  const ChosenInitrd c = chosen_initrd(p);
  EXPECT_EQ(c.start, 0x88000000u);
  EXPECT_EQ(c.end - c.start, 1036433u);
}

}  // namespace
}  // namespace tandem

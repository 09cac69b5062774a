// SPDX-License-Identifier: Apache-2.0
// Kernel files as QEMU's -kernel takes them: an ELF executable, an arm64 `Image` (Linux
// Documentation/arch/arm64/booting.rst, "Call the kernel image"), a RISC-V `Image` (Linux
// Documentation/arch/riscv/boot-image-header.rst), an x86 bzImage (x86/boot.rst), a multiboot
// v1 image, or a raw binary. The one detector every entry point (tandem run, build-image) uses.
// Detection from the bytes and the two Image headers, trusting nothing in the file. A file that
// cannot be booted gets an ImageError that names what is wrong, for a one-line message.
//
// Both Image headers are 64 bytes, little-endian, and may double as the DOS part of a PE/COFF
// header (the EFI stub: "MZ" at 0, the PE header's offset at 0x3c). Debian's arm64 and riscv64
// kernels are built that way; Tandem enters them at offset 0 as a boot loader does, so the PE
// part only has to agree with the Image header about the machine.
//
//   0x00 code0 ("MZ..." with the EFI stub)  0x04 code1
//   0x08 text_offset                        0x10 image_size      0x18 flags
//   0x20 arm64: reserved                    riscv: version (u32), reserved
//   0x30 arm64: reserved                    riscv: "RISCV\0\0\0" (deprecated since 0.2)
//   0x38 magic: "ARM\x64" / "RSC\x05"       0x3c PE header offset (EFI stub) or 0
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "core/base/arch.h"
#include "core/base/result.h"

namespace tandem {

enum class KernelFormat : uint8_t { kElf, kArm64Image, kRiscvImage, kBzImage, kMultiboot, kRaw };

constexpr const char* to_string(KernelFormat f) {
  switch (f) {
    case KernelFormat::kElf: return "ELF";
    case KernelFormat::kArm64Image: return "arm64 Image";
    case KernelFormat::kRiscvImage: return "RISC-V Image";
    case KernelFormat::kBzImage: return "x86 Linux bzImage";
    case KernelFormat::kMultiboot: return "multiboot image";
    case KernelFormat::kRaw: return "raw binary";
  }
  return "unknown";
}

// What is wrong with a kernel file; describe() gives the message.
enum class ImageError : uint8_t {
  kNone,
  kEmpty,              // a file of 0 bytes
  kTruncatedHeader,    // starts like an ELF or PE/Image file but ends inside its header
  kCompressed,         // gzip, xz, zstd, bzip2, lz4 or lzo data: to be decompressed first
  kEfiZboot,           // an EFI zboot image ("MZ" + "zimg"): a compressed kernel in a PE wrapper
  kUImage,             // a U-Boot legacy uImage: its payload must be extracted first
  kBzImageNot64,       // an x86 bzImage without the 64-bit entry Tandem starts it at
  kBadBzImage,         // "HdrS" but a setup header bzimage::parse rejects
  kPeWithoutImage,     // "MZ" but neither Image magic: an EFI application, not a kernel Image
  kBadPeHeader,        // the EFI stub's PE header is outside the file or not "PE\0\0"
  kPeMachineMismatch,  // the PE header names another machine than the Image header
  kBigEndian,          // flags bit 0: a big-endian kernel
  kBadElf,             // the ELF parser rejected the file (core/loader/elf.h)
  kElfUnsupported,     // a well-formed ELF Tandem cannot load (32-bit, other machine, not EXEC)
  kWrongArch,          // a kernel for another architecture than the VM's
};

constexpr const char* describe(ImageError e) {
  switch (e) {
    case ImageError::kNone: return "no error";
    case ImageError::kEmpty: return "the file is empty";
    case ImageError::kTruncatedHeader: return "the file ends inside its header (truncated)";
    case ImageError::kCompressed:
      return "compressed data (gzip, xz, zstd, bzip2, lz4 or lzo): decompress the kernel first";
    case ImageError::kEfiZboot:
      return "an EFI zboot image (compressed kernel in a PE wrapper): extract the Image first";
    case ImageError::kUImage: return "a U-Boot legacy uImage: extract its payload first";
    case ImageError::kBzImageNot64:
      return "a Linux bzImage without the 64-bit entry (boot protocol 2.12 and XLF_KERNEL_64) "
             "that Tandem starts it at";
    case ImageError::kBadBzImage: return "a malformed or truncated bzImage";
    case ImageError::kPeWithoutImage:
      return "a PE/EFI application without an arm64 or RISC-V Image header";
    case ImageError::kBadPeHeader:
      return "the EFI stub's PE header offset (0x3c) points outside the file or not at \"PE\"";
    case ImageError::kPeMachineMismatch:
      return "the EFI stub's PE machine does not match the Image header's architecture";
    case ImageError::kBigEndian: return "a big-endian kernel (Image flags bit 0)";
    case ImageError::kBadElf: return "a malformed ELF file";
    case ImageError::kElfUnsupported:
      return "an ELF file Tandem cannot load (32-bit without a multiboot header, another "
             "machine, or not executable)";
    case ImageError::kWrongArch: return "a kernel for another architecture than the VM's";
  }
  return "unknown error";
}

inline constexpr uint64_t kImageHeaderSize = 64;
inline constexpr uint64_t kImageAlign = 2ull << 20;  // both Images: a 2 MiB-aligned base
// arm64 booting.rst: an Image whose image_size is 0 predates v3.17; its text_offset is 0x80000.
inline constexpr uint64_t kArm64LegacyTextOffset = 0x80000;

// A kernel file the VM can place. For ELF only `format` and `arch` are set: its segments carry
// their own addresses (core/loader/elf.h).
struct KernelImage {
  KernelFormat format = KernelFormat::kRaw;
  Arch arch = Arch::kAarch64;
  uint64_t text_offset = 0;  // Images: offset of the load address from its 2 MiB base
  uint64_t size = 0;         // bytes the kernel occupies from its load address, BSS included
  uint64_t file_size = 0;    // bytes of the file loaded there
  // arm64 flags: page size in KiB (0: not given) and bit 3, "may be placed anywhere in RAM"
  // (clear: the base should be as close as possible to the start of RAM).
  uint32_t page_size_kib = 0;
  bool anywhere = false;
  bool efi_stub = false;       // the Image doubles as a PE/COFF (EFI) executable
  uint32_t riscv_version = 0;  // RISC-V: header version, major << 16 | minor
};

// The format of `file`, from its first bytes. Errors: kEmpty, kTruncatedHeader (a file that
// starts with the ELF or "MZ" magic but is shorter than its header), kCompressed, kEfiZboot,
// kUImage and kPeWithoutImage for files Tandem recognises but cannot boot. A bzImage has
// "HdrS" at 0x202; a multiboot image is a non-ELF64 file with a valid multiboot header in its
// first 8 KiB. Anything else is kRaw. `why` (may be null) receives the error.
[[nodiscard]] Result<KernelFormat> detect_kernel_format(std::span<const uint8_t> file,
                                                        ImageError* why);

// The header of an arm64 / RISC-V Image (detect_kernel_format said so). kBadImage with `why`
// set for a file shorter than the header, a big-endian kernel, or an EFI stub whose PE header
// is missing or names another machine.
[[nodiscard]] Result<KernelImage> parse_arm64_image(std::span<const uint8_t> file, ImageError* why);
[[nodiscard]] Result<KernelImage> parse_riscv_image(std::span<const uint8_t> file, ImageError* why);

// Detects and parses `file` whatever its architecture: every format but kRaw names its own
// (bzImage and multiboot: x86_64); a raw binary's `arch` is left for the caller to choose.
// A bzImage is checked by bzimage::parse (kBzImageNot64, kBadBzImage).
[[nodiscard]] Result<KernelImage> identify_kernel(std::span<const uint8_t> file, ImageError* why);

// identify_kernel() for a VM of architecture `arch`: a kernel of another architecture fails
// with kWrongArch; a raw binary is taken to be for `arch`.
[[nodiscard]] Result<KernelImage> parse_kernel(std::span<const uint8_t> file, Arch arch,
                                               ImageError* why);

}  // namespace tandem

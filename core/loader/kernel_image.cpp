// SPDX-License-Identifier: Apache-2.0
#include "core/loader/kernel_image.h"

#include "core/base/le_bytes.h"
#include "core/base/log.h"
#include "core/loader/bzimage.h"
#include "core/loader/elf.h"
#include "core/loader/multiboot.h"

namespace tandem {
namespace {

// Image header fields (both architectures, see the layout in kernel_image.h).
constexpr size_t kTextOffset = 0x08, kImageSize = 0x10, kFlags = 0x18, kRiscvVersion = 0x20;
constexpr size_t kRiscvMagic = 0x30, kMagic = 0x38, kPeOffset = 0x3c;
constexpr uint8_t kArm64Magic[4] = {'A', 'R', 'M', 0x64};
constexpr uint8_t kRiscvMagic2[4] = {'R', 'S', 'C', 0x05};
constexpr uint8_t kRiscvMagic1[8] = {'R', 'I', 'S', 'C', 'V', 0, 0, 0};  // header 0.1
constexpr uint64_t kFlagBigEndian = 1u << 0;
constexpr unsigned kArm64PageSizeShift = 1;  // flags bits 2:1: 0 unspecified, 1 4K, 2 16K, 3 64K
constexpr uint64_t kArm64FlagAnywhere = 1u << 3;

// PE/COFF (Microsoft PE format, "Machine Types"): "PE\0\0", then the COFF header's Machine.
constexpr uint8_t kPeSignature[4] = {'P', 'E', 0, 0};
constexpr uint16_t kPeMachineArm64 = 0xaa64, kPeMachineRiscv64 = 0x5064;

// Other files a user may hand over as a kernel, by their leading bytes.
struct Signature {
  uint8_t bytes[6];
  size_t length;
  ImageError error;
};
constexpr Signature kSignatures[] = {
    {{0x1f, 0x8b}, 2, ImageError::kCompressed},                      // gzip (RFC 1952)
    {{0xfd, '7', 'z', 'X', 'Z', 0x00}, 6, ImageError::kCompressed},  // xz
    {{0x28, 0xb5, 0x2f, 0xfd}, 4, ImageError::kCompressed},          // zstd (RFC 8878)
    {{'B', 'Z', 'h'}, 3, ImageError::kCompressed},                   // bzip2
    {{0x02, 0x21, 0x4c, 0x18}, 4, ImageError::kCompressed},          // lz4 legacy (kernel)
    {{0x89, 'L', 'Z', 'O', 0x00}, 5, ImageError::kCompressed},       // lzop
    {{0x27, 0x05, 0x19, 0x56}, 4, ImageError::kUImage},              // IH_MAGIC, big-endian
};
constexpr uint8_t kElfMagic[4] = {0x7f, 'E', 'L', 'F'};
constexpr uint8_t kMz[2] = {'M', 'Z'};
constexpr size_t kZbootMagic = 4;  // EFI zboot: "zimg" after "MZ" and two bytes
constexpr uint8_t kZimg[4] = {'z', 'i', 'm', 'g'};
constexpr size_t kBzImageMagic = 0x202;  // x86 boot.rst: "HdrS" in the setup header
constexpr uint8_t kHdrS[4] = {'H', 'd', 'r', 'S'};
constexpr size_t kElfClass = 4;  // e_ident[EI_CLASS]: 2 = ELFCLASS64

template <size_t N>
bool has(std::span<const uint8_t> file, size_t at, const uint8_t (&bytes)[N], size_t n = N) {
  if (at > file.size() || file.size() - at < n) return false;
  for (size_t i = 0; i < n; ++i)
    if (file[at + i] != bytes[i]) return false;
  return true;
}

uint64_t le64(std::span<const uint8_t> file, size_t at) { return load_le(file.data() + at, 8); }
uint32_t le32(std::span<const uint8_t> file, size_t at) {
  return static_cast<uint32_t>(load_le(file.data() + at, 4));
}

Error fail(ImageError e, ImageError* why) {
  TLOG_DEBUG("kernel image: %s", describe(e));
  if (why != nullptr) *why = e;
  switch (e) {
    case ImageError::kEmpty:
    case ImageError::kTruncatedHeader:
    case ImageError::kBadPeHeader:
    case ImageError::kPeMachineMismatch:
    case ImageError::kBadElf:
    case ImageError::kBadBzImage: return Error(Status::kBadImage);
    default: return Error(Status::kUnsupported);
  }
}

// The EFI stub's PE header must exist and be for `machine`. Files without "MZ" have no stub.
Result<bool> check_efi_stub(std::span<const uint8_t> file, uint16_t machine, ImageError* why) {
  if (!has(file, 0, kMz)) return false;
  const uint64_t pe = le32(file, kPeOffset);
  if (pe < kImageHeaderSize || !has(file, pe, kPeSignature) || file.size() - pe < 6)
    return fail(ImageError::kBadPeHeader, why);
  if (load_le(file.data() + pe + 4, 2) != machine) return fail(ImageError::kPeMachineMismatch, why);
  return true;
}

// Fields both Images share. `size` covers the file too: image_size counts the BSS, so it is
// never below the file's size in a kernel's own header, but a bigger file is still loaded whole.
void common_fields(std::span<const uint8_t> file, KernelImage& k) {
  k.text_offset = le64(file, kTextOffset);
  k.file_size = file.size();
  const uint64_t image_size = le64(file, kImageSize);
  k.size = image_size > k.file_size ? image_size : k.file_size;
}

}  // namespace

Result<KernelFormat> detect_kernel_format(std::span<const uint8_t> file, ImageError* why) {
  if (file.empty()) return fail(ImageError::kEmpty, why);
  if (has(file, 0, kElfMagic, file.size() < 4 ? file.size() : 4)) {
    if (file.size() < kImageHeaderSize) return fail(ImageError::kTruncatedHeader, why);
    // A 32-bit ELF with a multiboot header is booted by multiboot (as QEMU and GRUB do).
    if (file[kElfClass] != 2 && multiboot::find_header(file)) return KernelFormat::kMultiboot;
    return KernelFormat::kElf;
  }
  if (has(file, kMagic, kArm64Magic)) return KernelFormat::kArm64Image;
  if (has(file, kMagic, kRiscvMagic2) || has(file, kRiscvMagic, kRiscvMagic1))
    return KernelFormat::kRiscvImage;
  for (const Signature& s : kSignatures)
    if (has(file, 0, s.bytes, s.length)) return fail(s.error, why);
  if (has(file, kBzImageMagic, kHdrS)) return KernelFormat::kBzImage;
  if (has(file, 0, kMz)) {
    if (has(file, kZbootMagic, kZimg)) return fail(ImageError::kEfiZboot, why);
    if (file.size() < kImageHeaderSize) return fail(ImageError::kTruncatedHeader, why);
    return fail(ImageError::kPeWithoutImage, why);
  }
  if (multiboot::find_header(file)) return KernelFormat::kMultiboot;
  return KernelFormat::kRaw;
}

Result<KernelImage> parse_arm64_image(std::span<const uint8_t> file, ImageError* why) {
  if (file.size() < kImageHeaderSize) return fail(ImageError::kTruncatedHeader, why);
  KernelImage k;
  k.format = KernelFormat::kArm64Image;
  k.arch = Arch::kAarch64;
  const uint64_t flags = le64(file, kFlags);
  if ((flags & kFlagBigEndian) != 0) return fail(ImageError::kBigEndian, why);
  common_fields(file, k);
  if (le64(file, kImageSize) == 0) {
    // booting.rst: before v3.17 image_size is 0, text_offset is 0x80000 and has the kernel's
    // endianness, and the flags field does not exist yet.
    k.text_offset = kArm64LegacyTextOffset;
  } else {
    constexpr uint32_t kPageKib[4] = {0, 4, 16, 64};
    k.page_size_kib = kPageKib[(flags >> kArm64PageSizeShift) & 3];
    k.anywhere = (flags & kArm64FlagAnywhere) != 0;
  }
  k.efi_stub = TRY(check_efi_stub(file, kPeMachineArm64, why));
  return k;
}

Result<KernelImage> parse_riscv_image(std::span<const uint8_t> file, ImageError* why) {
  if (file.size() < kImageHeaderSize) return fail(ImageError::kTruncatedHeader, why);
  KernelImage k;
  k.format = KernelFormat::kRiscvImage;
  k.arch = Arch::kRiscv64;
  if ((le64(file, kFlags) & kFlagBigEndian) != 0) return fail(ImageError::kBigEndian, why);
  common_fields(file, k);
  k.riscv_version = le32(file, kRiscvVersion);
  k.efi_stub = TRY(check_efi_stub(file, kPeMachineRiscv64, why));
  return k;
}

Result<KernelImage> identify_kernel(std::span<const uint8_t> file, ImageError* why) {
  const KernelFormat format = TRY(detect_kernel_format(file, why));
  KernelImage k;
  switch (format) {
    case KernelFormat::kElf: {
      auto elf = parse_elf(file);
      if (!elf) {
        return fail(
            elf.error() == Status::kBadImage ? ImageError::kBadElf : ImageError::kElfUnsupported,
            why);
      }
      k.format = format;
      k.arch = elf->arch;
      k.file_size = file.size();
      break;
    }
    case KernelFormat::kArm64Image: k = TRY(parse_arm64_image(file, why)); break;
    case KernelFormat::kRiscvImage: k = TRY(parse_riscv_image(file, why)); break;
    case KernelFormat::kBzImage: {
      auto bz = bzimage::parse(file);
      if (!bz) {
        return fail(bz.error() == Status::kUnsupported ? ImageError::kBzImageNot64
                                                       : ImageError::kBadBzImage,
                    why);
      }
      k.format = format;
      k.arch = Arch::kX86_64;
      k.file_size = file.size();
      k.size = bz->init_size;
      break;
    }
    case KernelFormat::kMultiboot:
    case KernelFormat::kRaw:
      k.format = format;
      k.arch = Arch::kX86_64;  // multiboot; a raw binary's is the caller's
      k.file_size = k.size = file.size();
      break;
  }
  return k;
}

Result<KernelImage> parse_kernel(std::span<const uint8_t> file, Arch arch, ImageError* why) {
  KernelImage k = TRY(identify_kernel(file, why));
  if (k.format == KernelFormat::kRaw) k.arch = arch;
  if (k.arch != arch) return fail(ImageError::kWrongArch, why);
  return k;
}

}  // namespace tandem

// SPDX-License-Identifier: Apache-2.0
#include "core/loader/bzimage.h"

#include "core/base/addr.h"
#include "core/base/le_bytes.h"

namespace tandem::bzimage {
namespace {

constexpr size_t kSectorSize = 512;
constexpr uint8_t kDefaultSetupSects = 4;  // a setup_sects of 0 means 4 (boot.rst)

uint64_t field(std::span<const uint8_t> file, size_t at, unsigned n) {
  return load_le(file.data() + at, n);
}

}  // namespace

Result<Image> parse(std::span<const uint8_t> file) {
  if (file.size() < kHeaderMinEnd) return Error(Status::kBadImage);
  if (field(file, kBootFlag, 2) != 0xaa55 || field(file, kMagic, 4) != kHeaderMagic)
    return Error(Status::kBadImage);
  Image img;
  img.version = static_cast<uint16_t>(field(file, kVersion, 2));
  if (img.version < kMinVersion) return Error(Status::kUnsupported);
  // The header runs to 0x202 + the jump's displacement byte (boot.rst, "the setup header").
  img.header_end = kMagic + file[kJump + 1];
  if (img.header_end < kHeaderMinEnd || img.header_end > file.size())
    return Error(Status::kBadImage);
  if ((file[kLoadflags] & LOADED_HIGH) == 0) return Error(Status::kUnsupported);
  if ((field(file, kXloadflags, 2) & XLF_KERNEL_64) == 0) return Error(Status::kUnsupported);

  const uint8_t sects = file[kSetupSects] == 0 ? kDefaultSetupSects : file[kSetupSects];
  img.kernel_offset = (size_t{sects} + 1) * kSectorSize;
  if (img.kernel_offset < img.header_end || img.kernel_offset + kEntry64Offset >= file.size())
    return Error(Status::kBadImage);
  img.kernel_size = file.size() - img.kernel_offset;
  img.relocatable = file[kRelocatableKernel] != 0;
  img.kernel_alignment = static_cast<uint32_t>(field(file, kKernelAlignment, 4));
  img.pref_address = field(file, kPrefAddress, 8);
  img.init_size = static_cast<uint32_t>(field(file, kInitSize, 4));
  img.cmdline_size = static_cast<uint32_t>(field(file, kCmdlineSize, 4));
  img.initrd_addr_max = static_cast<uint32_t>(field(file, kInitrdAddrMax, 4));
  const uint32_t a = img.kernel_alignment;
  if (a < kPageSize4K || (a & (a - 1)) != 0 || img.pref_address % a != 0)
    return Error(Status::kBadImage);
  if (img.init_size < img.kernel_size || img.pref_address < 0x100000)
    return Error(Status::kBadImage);
  return img;
}

}  // namespace tandem::bzimage

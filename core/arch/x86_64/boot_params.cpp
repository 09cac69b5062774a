// SPDX-License-Identifier: Apache-2.0
#include "core/arch/x86_64/boot_params.h"

#include "core/base/le_bytes.h"
#include "core/loader/bzimage.h"

namespace tandem::x86 {
namespace {

// A 64-bit value split into a 32-bit setup-header field and its ext_ upper half.
void store_split(std::span<uint8_t, kBootParamsSize> out, size_t low, size_t high, uint64_t v) {
  store_le(out.data() + low, v, 4);
  store_le(out.data() + high, v >> 32, 4);
}

}  // namespace

Result<void> build_boot_params(const BootParamsSetup& setup,
                               std::span<uint8_t, kBootParamsSize> out) {
  if (setup.setup_header.size() > kE820Table - bzimage::kHeaderStart ||
      setup.setup_header.size() < bzimage::kHeaderMinEnd - bzimage::kHeaderStart ||
      setup.e820.size() > kE820MaxEntries)
    return Error(Status::kInvalidArgument);
  for (uint8_t& b : out) b = 0;
  for (size_t i = 0; i < setup.setup_header.size(); ++i)
    out[bzimage::kHeaderStart + i] = setup.setup_header[i];
  out[bzimage::kTypeOfLoader] = kLoaderUndefined;
  store_split(out, bzimage::kCmdLinePtr, kExtCmdLinePtr, setup.cmd_line);
  store_split(out, bzimage::kRamdiskImage, kExtRamdiskImage, setup.ramdisk);
  store_split(out, bzimage::kRamdiskSize, kExtRamdiskSize, setup.ramdisk_size);
  store_le(out.data() + kAcpiRsdpAddr, setup.acpi_rsdp, 8);
  out[kE820Entries] = static_cast<uint8_t>(setup.e820.size());
  for (size_t i = 0; i < setup.e820.size(); ++i) {
    uint8_t* e = out.data() + kE820Table + i * kE820EntrySize;
    store_le(e, setup.e820[i].base, 8);
    store_le(e + 8, setup.e820[i].size, 8);
    store_le(e + 16, static_cast<uint32_t>(setup.e820[i].type), 4);
  }
  return ok();
}

}  // namespace tandem::x86

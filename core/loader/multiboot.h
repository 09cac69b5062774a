// SPDX-License-Identifier: Apache-2.0
// Multiboot v1 (Multiboot Specification 0.6.96): find and check the header of an OS image,
// plan where its bytes go (ELF32 program headers, or the a.out-kludge address fields), and
// build the boot information structure. Pure: every offset and size the image gives is checked
// against the image before it is used, so a hostile image yields kBadImage, never a read out
// of bounds. Multiboot is a KVM-backend feature: the entry is in 32-bit protected mode.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "core/arch/x86_64/pc_memory_map.h"
#include "core/base/addr.h"
#include "core/base/result.h"
#include "core/vcpu/boot_state.h"

namespace tandem::multiboot {

inline constexpr uint32_t kHeaderMagic = 0x1BADB002;  // in the OS image (3.1.1)
inline constexpr uint32_t kBootMagic = 0x2BADB002;    // in EAX at entry (3.2)
inline constexpr size_t kSearchBytes = 8192;          // the header lies within these (3.1)

// Header `flags` (3.1.2). Bits 0-15 are requirements: a loader that cannot meet one must
// refuse the image. Bit 2 (a video mode) is one Tandem cannot meet: it has no framebuffer.
inline constexpr uint32_t kHeaderPageAlign = 1u << 0;   // modules 4 KiB aligned (none loaded)
inline constexpr uint32_t kHeaderMemInfo = 1u << 1;     // mem_* fields (always given)
inline constexpr uint32_t kHeaderAddresses = 1u << 16;  // the a.out-kludge fields are valid

struct Header {
  uint32_t file_offset = 0;  // of the magic
  uint32_t flags = 0;
  // Valid with kHeaderAddresses (3.1.3): physical addresses.
  uint32_t header_addr = 0, load_addr = 0, load_end_addr = 0, bss_end_addr = 0, entry_addr = 0;
};

// The first header at a 4-byte aligned offset in the first 8192 bytes whose checksum makes
// magic + flags + checksum == 0 (mod 2^32). kBadImage when there is none or it is truncated,
// kUnsupported when it requires something Tandem cannot give.
[[nodiscard]] Result<Header> find_header(std::span<const uint8_t> file);

// `file_size` bytes from `file_offset` go to `gpa`, then zeros up to `mem_size`.
struct Segment {
  Gpa gpa;
  uint32_t file_offset = 0;
  uint32_t file_size = 0;
  uint32_t mem_size = 0;
};

struct Image {
  static constexpr size_t kMaxSegments = 16;
  uint32_t entry = 0;  // physical
  std::array<Segment, kMaxSegments> segments{};
  size_t segment_count = 0;
  Gpa end;  // one past the highest byte loaded: free memory for the info structure starts here
};

// find_header(), then the load plan: the header's address fields when kHeaderAddresses is set
// (as QEMU and GRUB do, even for ELF files), else the PT_LOAD segments of an ELF32 EM_386
// executable, at their physical addresses. Every segment lies below 4 GiB and within the file,
// and the entry point lies within a loaded segment.
[[nodiscard]] Result<Image> parse(std::span<const uint8_t> file);

// Copies the plan into `ram`, guest RAM that starts at `ram_gpa`; kOutOfRange if a segment is
// not wholly inside it. `file` must be the one `image` was parsed from.
[[nodiscard]] Result<void> load(std::span<const uint8_t> file, const Image& image,
                                std::span<uint8_t> ram, Gpa ram_gpa);

// Boot information (3.3). The memory map's types are the E820 ones.
using MemoryType = x86::E820Type;
using MemoryRange = x86::E820Entry;

struct InfoSetup {
  static constexpr size_t kMaxRanges = 32;
  std::span<const MemoryRange> memory;  // the guest's physical memory map, in address order
  std::span<const char> cmdline;        // without a terminating NUL; empty: no command line
};

inline constexpr size_t kInfoSize = 116;  // the structure up to the framebuffer fields

// Info flags (3.3): which fields are valid.
inline constexpr uint32_t kInfoMemory = 1u << 0;
inline constexpr uint32_t kInfoCmdline = 1u << 2;
inline constexpr uint32_t kInfoMmap = 1u << 6;
inline constexpr uint32_t kInfoLoaderName = 1u << 9;

// Writes the info structure to the start of `out`, then the memory map, the command line and
// the boot loader name, all referenced at `info_gpa` + their offset in `out`. Returns the bytes
// used. kUnaligned unless `info_gpa` is 8-byte aligned; kCapacity when `out` is too small;
// kOutOfRange when the result would not lie below 4 GiB; kInvalidArgument for an empty, too
// long, unordered or overlapping memory map.
[[nodiscard]] Result<size_t> build_info(const InfoSetup& setup, Gpa info_gpa,
                                        std::span<uint8_t> out);

// The entry state of 3.2: `protected_mode` (core/arch/x86_64/protected_mode.h), EIP = the
// image's entry, EAX = kBootMagic, EBX = the info structure.
BootState boot_state(const Image& image, Gpa info_gpa, const X86LongModeState& protected_mode);

}  // namespace tandem::multiboot

// SPDX-License-Identifier: Apache-2.0
// ELF64 executables (System V gABI, "ELF Header" and "Program Header"): a parser that trusts
// nothing in the file, and a loader that copies PT_LOAD segments into guest memory at their
// physical addresses (p_paddr, as QEMU's -kernel loader does) and zero-fills the BSS part.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "core/base/addr.h"
#include "core/base/arch.h"
#include "core/base/result.h"

namespace tandem {

struct ElfSegment {
  uint64_t offset;  // p_offset: where the file bytes start
  uint64_t paddr;   // p_paddr: guest-physical load address
  uint64_t vaddr;   // p_vaddr
  uint64_t filesz;  // bytes copied from the file
  uint64_t memsz;   // bytes in memory; memsz - filesz are zero-filled
  uint32_t flags;   // p_flags: PF_X 1, PF_W 2, PF_R 4
};

struct ElfImage {
  static constexpr size_t kMaxSegments = 16;

  Arch arch;
  uint64_t entry;  // e_entry, unchanged (QEMU jumps to it as is)
  std::array<ElfSegment, kMaxSegments> segments;
  size_t segment_count;

  std::span<const ElfSegment> loadable() const { return {segments.data(), segment_count}; }
};

// kBadImage for anything malformed or truncated, kUnsupported for a well-formed file Tandem
// cannot load: ELFCLASS32 (e.g. multiboot images, which need the kvm backend), an e_machine
// other than AArch64/RISC-V/x86-64, or a type other than ET_EXEC/ET_DYN. kCapacity for more
// than kMaxSegments PT_LOAD segments.
[[nodiscard]] Result<ElfImage> parse_elf(std::span<const uint8_t> file);

// Where load_elf puts bytes: the VM adapts its guest-memory accessor to this.
class SegmentWriter {
 public:
  [[nodiscard]] virtual Result<void> write(Gpa gpa, std::span<const uint8_t> bytes) = 0;
  [[nodiscard]] virtual Result<void> zero(Gpa gpa, uint64_t size) = 0;

 protected:
  ~SegmentWriter() = default;
};

// Writes every segment of `image` (parsed from `file`) and returns the entry point. Segment
// bounds are checked against `file` again, so a mismatched pair fails with kBadImage instead of
// reading out of bounds.
[[nodiscard]] Result<uint64_t> load_elf(const ElfImage& image, std::span<const uint8_t> file,
                                        SegmentWriter& writer);

}  // namespace tandem

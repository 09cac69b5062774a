// SPDX-License-Identifier: Apache-2.0
#include "core/loader/elf.h"

#include "core/base/le_bytes.h"
#include "core/base/log.h"

namespace tandem {
namespace {

// e_ident (gABI "ELF Identification").
constexpr uint8_t kMagic[4] = {0x7F, 'E', 'L', 'F'};
constexpr size_t EI_CLASS = 4, EI_DATA = 5, EI_VERSION = 6, EI_NIDENT = 16;
constexpr uint8_t ELFCLASS32 = 1, ELFCLASS64 = 2;
constexpr uint8_t ELFDATA2LSB = 1;
constexpr uint8_t EV_CURRENT = 1;

// Elf64_Ehdr field offsets; the header is 64 bytes.
constexpr size_t kEhdrSize = 64;
constexpr size_t kEType = 16, kEMachine = 18, kEVersion = 20, kEEntry = 24, kEPhoff = 32;
constexpr size_t kEEhsize = 52, kEPhentsize = 54, kEPhnum = 56;
constexpr uint16_t ET_EXEC = 2, ET_DYN = 3;
constexpr uint16_t EM_X86_64 = 62, EM_AARCH64 = 183, EM_RISCV = 243;
// e_phnum == PN_XNUM moves the real count to section header 0: not supported.
constexpr uint16_t PN_XNUM = 0xFFFF;

// Elf64_Phdr field offsets; an entry is 56 bytes.
constexpr size_t kPhdrSize = 56;
constexpr size_t kPType = 0, kPFlags = 4, kPOffset = 8, kPVaddr = 16, kPPaddr = 24;
constexpr size_t kPFilesz = 32, kPMemsz = 40;
constexpr uint32_t PT_LOAD = 1;

// Little-endian field readers. Callers have checked that [at, at + N) lies inside `b`.
uint64_t le(std::span<const uint8_t> b, size_t at, unsigned n) { return load_le(b.data() + at, n); }
uint16_t le16(std::span<const uint8_t> b, size_t at) { return static_cast<uint16_t>(le(b, at, 2)); }
uint32_t le32(std::span<const uint8_t> b, size_t at) { return static_cast<uint32_t>(le(b, at, 4)); }
uint64_t le64(std::span<const uint8_t> b, size_t at) { return le(b, at, 8); }

// [offset, offset + size) lies inside a file of `file_size` bytes, without overflow.
bool inside(uint64_t offset, uint64_t size, uint64_t file_size) {
  return offset <= file_size && size <= file_size - offset;
}

Error bad(const char* why) {
  TLOG_DEBUG("elf: %s", why);
  return Error(Status::kBadImage);
}

Result<Arch> machine_arch(uint16_t machine) {
  switch (machine) {
    case EM_AARCH64: return Arch::kAarch64;
    case EM_RISCV: return Arch::kRiscv64;
    case EM_X86_64: return Arch::kX86_64;
    default:
      TLOG_DEBUG("elf: e_machine %u not supported", machine);
      return Error(Status::kUnsupported);
  }
}

Result<ElfSegment> parse_load_segment(std::span<const uint8_t> ph, uint64_t file_size) {
  ElfSegment s{};
  s.flags = le32(ph, kPFlags);
  s.offset = le64(ph, kPOffset);
  s.vaddr = le64(ph, kPVaddr);
  s.paddr = le64(ph, kPPaddr);
  s.filesz = le64(ph, kPFilesz);
  s.memsz = le64(ph, kPMemsz);
  if (s.filesz > s.memsz) return bad("segment p_filesz > p_memsz");
  if (!inside(s.offset, s.filesz, file_size)) return bad("segment bytes outside the file");
  // The last byte must be addressable: paddr + memsz - 1 may not wrap.
  if (s.memsz != 0 && s.paddr + (s.memsz - 1) < s.paddr)
    return bad("segment wraps the address space");
  return s;
}

}  // namespace

Result<ElfImage> parse_elf(std::span<const uint8_t> file) {
  if (file.size() < EI_NIDENT) return bad("shorter than e_ident");
  for (size_t i = 0; i < 4; ++i)
    if (file[i] != kMagic[i]) return bad("no ELF magic");
  if (file[EI_CLASS] == ELFCLASS32) {
    TLOG_DEBUG("elf: 32-bit ELF (ELFCLASS32)");
    return Error(Status::kUnsupported);
  }
  if (file[EI_CLASS] != ELFCLASS64) return bad("unknown EI_CLASS");
  if (file[EI_DATA] != ELFDATA2LSB) return bad("not little-endian");
  if (file[EI_VERSION] != EV_CURRENT) return bad("unknown EI_VERSION");
  if (file.size() < kEhdrSize) return bad("truncated ELF header");

  if (le32(file, kEVersion) != EV_CURRENT) return bad("unknown e_version");
  if (le16(file, kEEhsize) != kEhdrSize) return bad("unexpected e_ehsize");
  const uint16_t type = le16(file, kEType);
  if (type != ET_EXEC && type != ET_DYN) {
    TLOG_DEBUG("elf: e_type %u is not an executable", type);
    return Error(Status::kUnsupported);
  }
  ElfImage image{};
  image.arch = TRY(machine_arch(le16(file, kEMachine)));
  image.entry = le64(file, kEEntry);

  const uint64_t phoff = le64(file, kEPhoff);
  const uint16_t phnum = le16(file, kEPhnum);
  if (phnum == 0 || phnum == PN_XNUM) return bad("no program headers");
  if (le16(file, kEPhentsize) != kPhdrSize) return bad("unexpected e_phentsize");
  // phnum < 2^16 and kPhdrSize is 56, so the product cannot overflow.
  if (!inside(phoff, uint64_t{phnum} * kPhdrSize, file.size()))
    return bad("program headers outside the file");

  for (uint16_t i = 0; i < phnum; ++i) {
    std::span<const uint8_t> ph = file.subspan(phoff + size_t{i} * kPhdrSize, kPhdrSize);
    if (le32(ph, kPType) != PT_LOAD) continue;
    const ElfSegment seg = TRY(parse_load_segment(ph, file.size()));
    if (seg.memsz == 0) continue;  // nothing to load
    if (image.segment_count == ElfImage::kMaxSegments) {
      TLOG_DEBUG("elf: more than %zu PT_LOAD segments", ElfImage::kMaxSegments);
      return Error(Status::kCapacity);
    }
    image.segments[image.segment_count++] = seg;
  }
  if (image.segment_count == 0) return bad("no loadable segment");
  return image;
}

Result<uint64_t> load_elf(const ElfImage& image, std::span<const uint8_t> file,
                          SegmentWriter& writer) {
  if (image.segment_count > ElfImage::kMaxSegments) return bad("corrupt ElfImage");
  for (const ElfSegment& s : image.loadable()) {
    if (s.filesz > s.memsz || !inside(s.offset, s.filesz, file.size()))
      return bad("segment does not match the file");
    if (s.filesz != 0) TRY(writer.write(Gpa(s.paddr), file.subspan(s.offset, s.filesz)));
    if (s.memsz > s.filesz) TRY(writer.zero(Gpa(s.paddr + s.filesz), s.memsz - s.filesz));
  }
  return image.entry;
}

}  // namespace tandem

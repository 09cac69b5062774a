// SPDX-License-Identifier: Apache-2.0
#include "core/loader/multiboot.h"

#include "core/base/le_bytes.h"

namespace tandem::multiboot {
namespace {

constexpr uint64_t k4GiB = 1ull << 32;
constexpr uint32_t kRequirementBits = 0xffff;
constexpr uint32_t kMetRequirements = kHeaderPageAlign | kHeaderMemInfo;
constexpr uint64_t kHeaderSize = 12;           // magic, flags, checksum
constexpr uint64_t kHeaderWithAddresses = 32;  // + header_addr .. entry_addr

// ELF32 (System V ABI "ELF Header" / "Program Header"; EM_386 from the Intel386 supplement).
constexpr uint64_t kElfHeaderSize = 52;
constexpr uint64_t kProgramHeaderSize = 32;
constexpr uint8_t kElfClass32 = 1;
constexpr uint8_t kElfDataLsb = 1;
constexpr uint16_t kElfTypeExec = 2;
constexpr uint16_t kElfMachine386 = 3;
constexpr uint32_t kPtLoad = 1;

// The boot information (3.3): field offsets, then what follows the structure in `out`.
constexpr size_t kInfoFlags = 0, kInfoMemLower = 4, kInfoMemUpper = 8, kInfoCmdlineAddr = 16;
constexpr size_t kInfoMmapLength = 44, kInfoMmapAddr = 48, kInfoLoaderNameAddr = 64;
constexpr size_t kMmapOffset = (kInfoSize + 7) & ~size_t{7};
constexpr size_t kMmapEntrySize = 24;  // `size` (= 20, excluding itself), base, length, type
constexpr uint64_t kLowMemoryEnd = 640 * uint64_t{1024};
constexpr uint64_t kUpperMemoryStart = uint64_t{1} << 20;
constexpr char kLoaderName[] = "Tandem";

// Little-endian reads that refuse to run past the end instead of reading there.
bool read16(std::span<const uint8_t> b, uint64_t off, uint32_t& out) {
  if (off > b.size() || b.size() - off < 2) return false;
  out = b[off] | uint32_t{b[off + 1]} << 8;
  return true;
}

bool read32(std::span<const uint8_t> b, uint64_t off, uint32_t& out) {
  if (off > b.size() || b.size() - off < 4) return false;
  out =
      b[off] | uint32_t{b[off + 1]} << 8 | uint32_t{b[off + 2]} << 16 | uint32_t{b[off + 3]} << 24;
  return true;
}

void write32(uint8_t* p, uint32_t v) { store_le(p, v, 4); }
void write64(uint8_t* p, uint64_t v) { store_le(p, v, 8); }

// All arguments are 32-bit quantities from the image, so the 64-bit sums cannot wrap.
Result<void> add_segment(Image& image, uint64_t paddr, uint64_t offset, uint64_t file_size,
                         uint64_t mem_size, uint64_t file_len) {
  if (file_size > mem_size || offset > file_len || file_size > file_len - offset)
    return Error(Status::kBadImage);
  if (paddr >= k4GiB || mem_size >= k4GiB || mem_size > k4GiB - paddr)
    return Error(Status::kBadImage);
  if (image.segment_count == Image::kMaxSegments) return Error(Status::kBadImage);
  image.segments[image.segment_count++] = {Gpa(paddr), static_cast<uint32_t>(offset),
                                           static_cast<uint32_t>(file_size),
                                           static_cast<uint32_t>(mem_size)};
  if (Gpa(paddr + mem_size) > image.end) image.end = Gpa(paddr + mem_size);
  return ok();
}

// 3.1.3: text and data are one run of the file that starts (header_addr - load_addr) bytes
// before the header; load_end_addr 0 means "to the end of the file", bss_end_addr 0 "no bss".
Result<Image> parse_addresses(std::span<const uint8_t> file, const Header& h) {
  if (h.load_addr > h.header_addr || h.header_addr - h.load_addr > h.file_offset)
    return Error(Status::kBadImage);
  const uint64_t offset = h.file_offset - (h.header_addr - h.load_addr);
  uint64_t file_size = file.size() - offset;
  if (h.load_end_addr != 0) {
    if (h.load_end_addr <= h.header_addr) return Error(Status::kBadImage);
    file_size = uint64_t{h.load_end_addr} - h.load_addr;
  }
  uint64_t mem_size = file_size;
  if (h.bss_end_addr != 0) {
    if (h.bss_end_addr < h.load_addr + file_size) return Error(Status::kBadImage);
    mem_size = uint64_t{h.bss_end_addr} - h.load_addr;
  }
  Image image;
  TRY(add_segment(image, h.load_addr, offset, file_size, mem_size, file.size()));
  if (h.entry_addr < h.load_addr || h.entry_addr - h.load_addr >= mem_size)
    return Error(Status::kBadImage);
  image.entry = h.entry_addr;
  return image;
}

Result<Image> parse_elf32(std::span<const uint8_t> file) {
  if (file.size() < kElfHeaderSize || file[0] != 0x7f || file[1] != 'E' || file[2] != 'L' ||
      file[3] != 'F' || file[4] != kElfClass32 || file[5] != kElfDataLsb)
    return Error(Status::kBadImage);
  uint32_t type = 0, machine = 0, entry = 0, phoff = 0, phentsize = 0, phnum = 0;
  if (!read16(file, 16, type) || !read16(file, 18, machine) || !read32(file, 24, entry) ||
      !read32(file, 28, phoff) || !read16(file, 42, phentsize) || !read16(file, 44, phnum))
    return Error(Status::kBadImage);
  if (type != kElfTypeExec || machine != kElfMachine386 || phentsize < kProgramHeaderSize ||
      phnum == 0 || phoff > file.size() || uint64_t{phnum} * phentsize > file.size() - phoff)
    return Error(Status::kBadImage);

  Image image;
  bool entry_found = false;
  for (uint32_t i = 0; i < phnum; ++i) {
    const uint64_t ph = phoff + uint64_t{i} * phentsize;
    uint32_t p_type = 0, offset = 0, vaddr = 0, paddr = 0, file_size = 0, mem_size = 0;
    if (!read32(file, ph, p_type) || !read32(file, ph + 4, offset) ||
        !read32(file, ph + 8, vaddr) || !read32(file, ph + 12, paddr) ||
        !read32(file, ph + 16, file_size) || !read32(file, ph + 20, mem_size))
      return Error(Status::kBadImage);
    if (p_type != kPtLoad || mem_size == 0) continue;
    TRY(add_segment(image, paddr, offset, file_size, mem_size, file.size()));
    // e_entry is virtual; like GRUB, translate it through the segment that holds it.
    if (!entry_found && entry >= vaddr && entry - vaddr < mem_size) {
      image.entry = entry - vaddr + paddr;
      entry_found = true;
    }
  }
  if (!entry_found) return Error(Status::kBadImage);
  return image;
}

// The end of the available memory that runs without a gap from `from` (`from` when none).
uint64_t available_end(std::span<const MemoryRange> memory, uint64_t from) {
  uint64_t end = from;
  for (const MemoryRange& r : memory) {
    if (r.type == MemoryType::kAvailable && r.base <= end && end < r.base + r.size)
      end = r.base + r.size;
  }
  return end;
}

bool valid_memory_map(std::span<const MemoryRange> memory) {
  if (memory.empty() || memory.size() > InfoSetup::kMaxRanges) return false;
  for (size_t i = 0; i < memory.size(); ++i) {
    const MemoryRange& r = memory[i];
    if (r.size == 0 || r.base + r.size < r.base) return false;
    if (r.type != MemoryType::kAvailable && r.type != MemoryType::kReserved) return false;
    if (i > 0 && r.base < memory[i - 1].base + memory[i - 1].size) return false;
  }
  return true;
}

}  // namespace

Result<Header> find_header(std::span<const uint8_t> file) {
  const uint64_t limit = file.size() < kSearchBytes ? file.size() : kSearchBytes;
  for (uint64_t off = 0; off + kHeaderSize <= limit; off += 4) {
    uint32_t magic = 0, flags = 0, checksum = 0;
    if (!read32(file, off, magic) || magic != kHeaderMagic) continue;
    if (!read32(file, off + 4, flags) || !read32(file, off + 8, checksum) ||
        static_cast<uint32_t>(magic + flags + checksum) != 0)
      continue;
    Header h;
    h.file_offset = static_cast<uint32_t>(off);
    h.flags = flags;
    if ((flags & kRequirementBits & ~kMetRequirements) != 0) return Error(Status::kUnsupported);
    if ((flags & kHeaderAddresses) != 0) {
      if (file.size() - off < kHeaderWithAddresses) return Error(Status::kBadImage);
      (void)read32(file, off + 12, h.header_addr);
      (void)read32(file, off + 16, h.load_addr);
      (void)read32(file, off + 20, h.load_end_addr);
      (void)read32(file, off + 24, h.bss_end_addr);
      (void)read32(file, off + 28, h.entry_addr);
    }
    return h;
  }
  return Error(Status::kBadImage);
}

Result<Image> parse(std::span<const uint8_t> file) {
  const Header h = TRY(find_header(file));
  if ((h.flags & kHeaderAddresses) != 0) return parse_addresses(file, h);
  return parse_elf32(file);
}

Result<void> load(std::span<const uint8_t> file, const Image& image, std::span<uint8_t> ram,
                  Gpa ram_gpa) {
  // Check every segment before writing any, so a refused image leaves RAM untouched.
  for (size_t i = 0; i < image.segment_count; ++i) {
    const Segment& s = image.segments[i];
    if (s.gpa < ram_gpa || s.gpa - ram_gpa > ram.size() ||
        s.mem_size > ram.size() - (s.gpa - ram_gpa))
      return Error(Status::kOutOfRange);
    if (s.file_offset > file.size() || s.file_size > file.size() - s.file_offset ||
        s.file_size > s.mem_size)
      return Error(Status::kInvalidArgument);
  }
  for (size_t i = 0; i < image.segment_count; ++i) {
    const Segment& s = image.segments[i];
    uint8_t* dst = ram.data() + (s.gpa - ram_gpa);
    for (uint32_t b = 0; b < s.file_size; ++b) dst[b] = file[s.file_offset + b];
    for (uint32_t b = s.file_size; b < s.mem_size; ++b) dst[b] = 0;
  }
  return ok();
}

Result<size_t> build_info(const InfoSetup& setup, Gpa info_gpa, std::span<uint8_t> out) {
  if (!info_gpa.is_aligned(8)) return Error(Status::kUnaligned);
  if (!valid_memory_map(setup.memory)) return Error(Status::kInvalidArgument);
  const size_t mmap_bytes = setup.memory.size() * kMmapEntrySize;
  const size_t cmdline_offset = kMmapOffset + mmap_bytes;
  const size_t name_offset =
      setup.cmdline.empty() ? cmdline_offset : cmdline_offset + setup.cmdline.size() + 1;
  const size_t total = name_offset + sizeof kLoaderName;
  if (total > out.size()) return Error(Status::kCapacity);
  if (info_gpa.raw() >= k4GiB || total > k4GiB - info_gpa.raw()) return Error(Status::kOutOfRange);
  const auto gpa32 = [&](size_t offset) { return static_cast<uint32_t>(info_gpa.raw() + offset); };

  uint8_t* p = out.data();
  for (size_t i = 0; i < total; ++i) p[i] = 0;
  uint32_t flags = kInfoMemory | kInfoMmap | kInfoLoaderName;

  // mem_lower: KiB from 0 up to at most 640 KiB; mem_upper: KiB from 1 MiB to the first hole.
  uint64_t lower_end = available_end(setup.memory, 0);
  if (lower_end > kLowMemoryEnd) lower_end = kLowMemoryEnd;
  uint64_t upper_kib = (available_end(setup.memory, kUpperMemoryStart) - kUpperMemoryStart) / 1024;
  if (upper_kib > 0xffffffffu) upper_kib = 0xffffffffu;
  write32(p + kInfoMemLower, static_cast<uint32_t>(lower_end / 1024));
  write32(p + kInfoMemUpper, static_cast<uint32_t>(upper_kib));

  for (size_t i = 0; i < setup.memory.size(); ++i) {
    uint8_t* e = p + kMmapOffset + i * kMmapEntrySize;
    write32(e, kMmapEntrySize - 4);
    write64(e + 4, setup.memory[i].base);
    write64(e + 12, setup.memory[i].size);
    write32(e + 20, static_cast<uint32_t>(setup.memory[i].type));
  }
  write32(p + kInfoMmapLength, static_cast<uint32_t>(mmap_bytes));
  write32(p + kInfoMmapAddr, gpa32(kMmapOffset));

  if (!setup.cmdline.empty()) {
    for (size_t i = 0; i < setup.cmdline.size(); ++i)
      p[cmdline_offset + i] = static_cast<uint8_t>(setup.cmdline[i]);
    write32(p + kInfoCmdlineAddr, gpa32(cmdline_offset));
    flags |= kInfoCmdline;
  }
  for (size_t i = 0; i < sizeof kLoaderName; ++i)
    p[name_offset + i] = static_cast<uint8_t>(kLoaderName[i]);
  write32(p + kInfoLoaderNameAddr, gpa32(name_offset));
  write32(p + kInfoFlags, flags);
  return total;
}

BootState boot_state(const Image& image, Gpa info_gpa, const X86LongModeState& protected_mode) {
  BootState boot;
  boot.pc = image.entry;
  boot.args[0] = kBootMagic;
  boot.args[1] = info_gpa.raw();
  boot.x86 = protected_mode;
  boot.x86_mode = X86EntryMode::kProtected32;
  return boot;
}

}  // namespace tandem::multiboot

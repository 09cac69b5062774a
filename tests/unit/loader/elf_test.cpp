// SPDX-License-Identifier: Apache-2.0
// ELF images are built byte by byte here (System V gABI layouts), so every field a malformed
// file can lie about is set explicitly. Every parse runs on an exact-size heap copy, so an
// out-of-bounds read shows under ASan (build-dev-asan).
#include "core/loader/elf.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <vector>

namespace tandem {
namespace {

using Bytes = std::vector<uint8_t>;

constexpr uint32_t PT_LOAD = 1, PT_NOTE = 4, PT_GNU_STACK = 0x6474E551;
constexpr uint16_t EM_386 = 3, EM_ARM = 40, EM_X86_64 = 62, EM_AARCH64 = 183, EM_RISCV = 243;

void put(Bytes& b, size_t at, uint64_t v, size_t n) {
  if (b.size() < at + n) b.resize(at + n);
  for (size_t i = 0; i < n; ++i) b[at + i] = static_cast<uint8_t>(v >> (8 * i));
}

struct Phdr {
  uint32_t type = PT_LOAD;
  uint32_t flags = 5;  // R|X
  uint64_t offset = 0, vaddr = 0, paddr = 0, filesz = 0, memsz = 0, align = 0x1000;
};

// A little-endian ELF64 executable: header at 0, program headers at 64.
Bytes make_elf(uint16_t machine, uint64_t entry, const std::vector<Phdr>& phdrs) {
  Bytes b(64 + 56 * phdrs.size(), 0);
  b[0] = 0x7F, b[1] = 'E', b[2] = 'L', b[3] = 'F';
  b[4] = 2;          // ELFCLASS64
  b[5] = 1;          // ELFDATA2LSB
  b[6] = 1;          // EV_CURRENT
  put(b, 16, 2, 2);  // ET_EXEC
  put(b, 18, machine, 2);
  put(b, 20, 1, 4);
  put(b, 24, entry, 8);
  put(b, 32, 64, 8);  // e_phoff
  put(b, 52, 64, 2);  // e_ehsize
  put(b, 54, 56, 2);  // e_phentsize
  put(b, 56, phdrs.size(), 2);
  for (size_t i = 0; i < phdrs.size(); ++i) {
    const size_t at = 64 + 56 * i;
    const Phdr& p = phdrs[i];
    put(b, at + 0, p.type, 4);
    put(b, at + 4, p.flags, 4);
    put(b, at + 8, p.offset, 8);
    put(b, at + 16, p.vaddr, 8);
    put(b, at + 24, p.paddr, 8);
    put(b, at + 32, p.filesz, 8);
    put(b, at + 40, p.memsz, 8);
    put(b, at + 48, p.align, 8);
  }
  return b;
}

// A typical bare-metal guest: text at 0x40200000, data + bss after it; a note and a
// GNU_STACK header that the loader skips. The data segment's bytes end the file.
Bytes good_aarch64() {
  std::vector<Phdr> ph(4);
  ph[0] = {PT_LOAD, 5, 0x200, 0x40200000, 0x40200000, 0x10, 0x10, 0x1000};
  ph[1] = {PT_NOTE, 4, 0x210, 0, 0, 0x8, 0x8, 4};
  ph[2] = {PT_GNU_STACK, 6, 0, 0, 0, 0, 0, 16};
  ph[3] = {PT_LOAD, 6, 0x218, 0xFFFF000040201000, 0x40201000, 0x8, 0x100, 0x1000};
  Bytes b = make_elf(EM_AARCH64, 0x40200004, ph);
  b.resize(0x220, 0);
  for (size_t i = 0; i < 0x10; ++i) b[0x200 + i] = static_cast<uint8_t>(0xA0 + i);
  for (size_t i = 0; i < 0x8; ++i) b[0x218 + i] = static_cast<uint8_t>(0xD0 + i);
  return b;
}

// Parses a heap copy of exactly `n` bytes of `b`.
Result<ElfImage> parse_prefix(const Bytes& b, size_t n) {
  Bytes copy(b.begin(), b.begin() + static_cast<std::ptrdiff_t>(n));
  return parse_elf(std::span<const uint8_t>(copy.data(), copy.size()));
}
Result<ElfImage> parse(const Bytes& b) { return parse_prefix(b, b.size()); }

struct Write {
  uint64_t gpa;
  Bytes bytes;
};
struct Zero {
  uint64_t gpa;
  uint64_t size;
};

class RecordingWriter final : public SegmentWriter {
 public:
  Result<void> write(Gpa gpa, std::span<const uint8_t> bytes) override {
    if (fail != Status::kOk) return Error(fail);
    writes.push_back({gpa.raw(), Bytes(bytes.begin(), bytes.end())});
    return ok();
  }
  Result<void> zero(Gpa gpa, uint64_t size) override {
    if (fail != Status::kOk) return Error(fail);
    zeros.push_back({gpa.raw(), size});
    return ok();
  }
  std::vector<Write> writes;
  std::vector<Zero> zeros;
  Status fail = Status::kOk;
};

TEST(Elf, ParsesAGoodImage) {
  Result<ElfImage> r = parse(good_aarch64());
  ASSERT_TRUE(r.ok()) << to_string(r.error());
  const ElfImage& img = *r;
  EXPECT_EQ(img.arch, Arch::kAarch64);
  EXPECT_EQ(img.entry, 0x40200004u);
  ASSERT_EQ(img.segment_count, 2u);  // PT_NOTE and PT_GNU_STACK are not loaded
  const ElfSegment& text = img.segments[0];
  EXPECT_EQ(text.offset, 0x200u);
  EXPECT_EQ(text.paddr, 0x40200000u);
  EXPECT_EQ(text.vaddr, 0x40200000u);
  EXPECT_EQ(text.filesz, 0x10u);
  EXPECT_EQ(text.memsz, 0x10u);
  EXPECT_EQ(text.flags, 5u);
  const ElfSegment& data = img.segments[1];
  EXPECT_EQ(data.offset, 0x218u);
  EXPECT_EQ(data.paddr, 0x40201000u);
  EXPECT_EQ(data.vaddr, 0xFFFF000040201000u);
  EXPECT_EQ(data.filesz, 0x8u);
  EXPECT_EQ(data.memsz, 0x100u);
  EXPECT_EQ(data.flags, 6u);
  EXPECT_EQ(img.loadable().size(), 2u);
}

TEST(Elf, LoadsSegmentsAtPhysicalAddressesAndZeroFillsBss) {
  const Bytes file = good_aarch64();
  Result<ElfImage> img = parse(file);
  ASSERT_TRUE(img.ok());
  RecordingWriter w;
  Result<uint64_t> entry = load_elf(*img, file, w);
  ASSERT_TRUE(entry.ok());
  EXPECT_EQ(*entry, 0x40200004u);
  ASSERT_EQ(w.writes.size(), 2u);
  EXPECT_EQ(w.writes[0].gpa, 0x40200000u);
  EXPECT_EQ(w.writes[0].bytes, Bytes(file.begin() + 0x200, file.begin() + 0x210));
  EXPECT_EQ(w.writes[0].bytes.front(), 0xA0);
  EXPECT_EQ(w.writes[1].gpa, 0x40201000u);
  EXPECT_EQ(w.writes[1].bytes, (Bytes{0xD0, 0xD1, 0xD2, 0xD3, 0xD4, 0xD5, 0xD6, 0xD7}));
  ASSERT_EQ(w.zeros.size(), 1u);
  EXPECT_EQ(w.zeros[0].gpa, 0x40201008u);
  EXPECT_EQ(w.zeros[0].size, 0xF8u);
}

TEST(Elf, MachineSelectsTheArchitecture) {
  std::vector<Phdr> ph = {{PT_LOAD, 5, 0, 0x80200000, 0x80200000, 0x40, 0x40, 0x1000}};
  EXPECT_EQ(parse(make_elf(EM_RISCV, 0x80200000, ph))->arch, Arch::kRiscv64);
  EXPECT_EQ(parse(make_elf(EM_X86_64, 0x100000, ph))->arch, Arch::kX86_64);
  EXPECT_EQ(parse(make_elf(EM_AARCH64, 0, ph))->arch, Arch::kAarch64);
  EXPECT_EQ(parse(make_elf(EM_ARM, 0, ph)).error(), Status::kUnsupported);
}

TEST(Elf, ThirtyTwoBitImagesAreUnsupported) {
  // An ELF32 i386 multiboot kernel: 52-byte header; only e_ident matters.
  Bytes b(52, 0);
  b[0] = 0x7F, b[1] = 'E', b[2] = 'L', b[3] = 'F', b[4] = 1, b[5] = 1, b[6] = 1;
  put(b, 16, 2, 2);
  put(b, 18, EM_386, 2);
  EXPECT_EQ(parse(b).error(), Status::kUnsupported);
  EXPECT_EQ(parse_prefix(b, 16).error(), Status::kUnsupported);
}

TEST(Elf, NonExecutableTypesAreUnsupported) {
  Bytes b = good_aarch64();
  put(b, 16, 1, 2);  // ET_REL
  EXPECT_EQ(parse(b).error(), Status::kUnsupported);
  put(b, 16, 3, 2);  // ET_DYN is loadable (static PIE)
  EXPECT_TRUE(parse(b).ok());
}

TEST(Elf, TruncatedAtEveryLengthIsBad) {
  const Bytes good = good_aarch64();
  for (size_t n = 0; n < good.size(); ++n)
    EXPECT_EQ(parse_prefix(good, n).error(), Status::kBadImage) << "length " << n;
}

TEST(Elf, BadIdentification) {
  Bytes b = good_aarch64();
  b[1] = 'e';
  EXPECT_EQ(parse(b).error(), Status::kBadImage);
  for (uint8_t cls : {0, 3, 0xFF}) {
    b = good_aarch64();
    b[4] = cls;
    EXPECT_EQ(parse(b).error(), Status::kBadImage) << int{cls};
  }
  b = good_aarch64();
  b[5] = 2;  // ELFDATA2MSB
  EXPECT_EQ(parse(b).error(), Status::kBadImage);
  b[5] = 0;
  EXPECT_EQ(parse(b).error(), Status::kBadImage);
  b = good_aarch64();
  b[6] = 2;  // EI_VERSION
  EXPECT_EQ(parse(b).error(), Status::kBadImage);
  b = good_aarch64();
  put(b, 20, 0, 4);  // e_version
  EXPECT_EQ(parse(b).error(), Status::kBadImage);
  b = good_aarch64();
  put(b, 52, 52, 2);  // e_ehsize
  EXPECT_EQ(parse(b).error(), Status::kBadImage);
}

TEST(Elf, BadProgramHeaderTable) {
  const Bytes good = good_aarch64();
  Bytes b = good;
  put(b, 32, good.size(), 8);  // e_phoff at EOF
  EXPECT_EQ(parse(b).error(), Status::kBadImage);
  b = good;
  put(b, 32, 0x1000'0000, 8);  // far beyond EOF
  EXPECT_EQ(parse(b).error(), Status::kBadImage);
  b = good;
  put(b, 32, ~uint64_t{0} - 8, 8);  // phoff + table size overflows
  EXPECT_EQ(parse(b).error(), Status::kBadImage);
  b = good;
  put(b, 32, good.size() - 4 * 56 + 1, 8);  // table runs one byte past EOF
  EXPECT_EQ(parse(b).error(), Status::kBadImage);
  b = good;
  put(b, 56, 0xFFFF, 2);  // PN_XNUM
  EXPECT_EQ(parse(b).error(), Status::kBadImage);
  b = good;
  put(b, 56, 1000, 2);  // more entries than the file holds
  EXPECT_EQ(parse(b).error(), Status::kBadImage);
  b = good;
  put(b, 56, 0, 2);
  EXPECT_EQ(parse(b).error(), Status::kBadImage);
  for (uint16_t entsize : {0, 32, 55, 57, 64}) {
    b = good;
    put(b, 54, entsize, 2);
    EXPECT_EQ(parse(b).error(), Status::kBadImage) << entsize;
  }
}

TEST(Elf, BadSegments) {
  const Bytes good = good_aarch64();
  const size_t data = 64 + 3 * 56;  // the second PT_LOAD
  Bytes b = good;
  put(b, data + 32, 0x101, 8);  // filesz > memsz
  EXPECT_EQ(parse(b).error(), Status::kBadImage);
  b = good;
  put(b, data + 8, good.size() - 7, 8);  // file bytes end one past EOF
  EXPECT_EQ(parse(b).error(), Status::kBadImage);
  b = good;
  put(b, data + 8, good.size(), 8);  // starts at EOF: fine only if filesz == 0
  EXPECT_EQ(parse(b).error(), Status::kBadImage);
  put(b, data + 32, 0, 8);
  EXPECT_TRUE(parse(b).ok());
  b = good;
  put(b, data + 8, ~uint64_t{0} - 3, 8);  // offset + filesz overflows
  EXPECT_EQ(parse(b).error(), Status::kBadImage);
  b = good;
  put(b, data + 32, ~uint64_t{0}, 8);  // huge filesz (and memsz)
  put(b, data + 40, ~uint64_t{0}, 8);
  EXPECT_EQ(parse(b).error(), Status::kBadImage);
  b = good;
  put(b, data + 24, ~uint64_t{0} - 0x10, 8);  // paddr + memsz wraps
  EXPECT_EQ(parse(b).error(), Status::kBadImage);
  b = good;
  put(b, data + 24, ~uint64_t{0} - 0xFF, 8);  // ends exactly at the top: fine
  EXPECT_TRUE(parse(b).ok());
}

TEST(Elf, NoLoadableSegmentIsBad) {
  std::vector<Phdr> ph = {{PT_NOTE, 4, 0, 0, 0, 0, 0, 4},
                          {PT_LOAD, 5, 0, 0x1000, 0x1000, 0, 0, 0x1000}};  // empty PT_LOAD
  EXPECT_EQ(parse(make_elf(EM_AARCH64, 0x1000, ph)).error(), Status::kBadImage);
}

TEST(Elf, TooManySegmentsHitCapacity) {
  std::vector<Phdr> ph(ElfImage::kMaxSegments + 1);
  for (size_t i = 0; i < ph.size(); ++i)
    ph[i] = {PT_LOAD, 4, 0, 0x1000 * i, 0x1000 * i, 0, 0x10, 0x1000};
  EXPECT_EQ(parse(make_elf(EM_RISCV, 0, ph)).error(), Status::kCapacity);
  ph.pop_back();
  Result<ElfImage> r = parse(make_elf(EM_RISCV, 0, ph));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->segment_count, ElfImage::kMaxSegments);
}

TEST(Elf, LoadRechecksSegmentsAgainstTheFile) {
  const Bytes file = good_aarch64();
  Result<ElfImage> img = parse(file);
  ASSERT_TRUE(img.ok());
  const Bytes shorter(file.begin(), file.end() - 1);
  RecordingWriter w;
  EXPECT_EQ(load_elf(*img, shorter, w).error(), Status::kBadImage);
  EXPECT_EQ(w.writes.size(), 1u);  // the text segment still fitted; the data one did not
}

TEST(Elf, WriterErrorsPropagate) {
  const Bytes file = good_aarch64();
  Result<ElfImage> img = parse(file);
  ASSERT_TRUE(img.ok());
  RecordingWriter w;
  w.fail = Status::kOutOfRange;  // e.g. a segment outside guest RAM
  EXPECT_EQ(load_elf(*img, file, w).error(), Status::kOutOfRange);
}

TEST(Elf, RandomCorruptionNeverReadsOutOfBounds) {
  const Bytes good = good_aarch64();
  std::mt19937 rng(42);
  int accepted = 0;
  for (int iter = 0; iter < 20000; ++iter) {
    Bytes b = good;
    const int flips = 1 + static_cast<int>(rng() % 4);
    for (int i = 0; i < flips; ++i) {
      // Mostly the header and program headers, where the lies are.
      const size_t at = rng() % 2 == 0 ? rng() % (64 + 4 * 56) : rng() % b.size();
      b[at] = static_cast<uint8_t>(rng());
    }
    const size_t len = rng() % 8 == 0 ? rng() % b.size() : b.size();
    Bytes copy(b.begin(), b.begin() + static_cast<std::ptrdiff_t>(len));
    Result<ElfImage> img = parse_elf(copy);
    if (!img.ok()) continue;
    ++accepted;
    RecordingWriter w;
    Result<uint64_t> entry = load_elf(*img, copy, w);
    ASSERT_TRUE(entry.ok());
    for (const ElfSegment& s : img->loadable()) {
      ASSERT_LE(s.filesz, s.memsz);
      ASSERT_LE(s.offset + s.filesz, copy.size());
    }
  }
  EXPECT_GT(accepted, 0);  // some corruptions hit don't-care bytes
}

}  // namespace
}  // namespace tandem

// SPDX-License-Identifier: Apache-2.0
// Multiboot Specification 0.6.96, 3.1: header search and checks, ELF32 and a.out-kludge load
// plans, loading into RAM, and hostile images.
#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <vector>

#include "core/loader/multiboot.h"
#include "unit/multiboot/multiboot_image.h"

namespace tandem::multiboot {
namespace {

using testing::ElfSegment;
using testing::header_then;
using testing::make_elf32;
using testing::put32;
using testing::put_header;

// Text at vaddr 0xC0100000 / paddr 0x100000 holding the header, data at 0x102000 with bss.
std::vector<uint8_t> good_elf() {
  return make_elf32(0xC0100010, {{0xC0100000, 0x100000, header_then(0, {0xf4, 0xeb, 0xfe}), 0x1000},
                                 {0xC0102000, 0x102000, {1, 2, 3, 4}, 0x2000}});
}

TEST(MultibootHeader, FoundAtAnAlignedOffsetWithAValidChecksum) {
  std::vector<uint8_t> b(0x2000, 0);
  put32(b, 0x102, kHeaderMagic);  // unaligned: ignored
  put_header(b, 0x200, kHeaderMemInfo | kHeaderPageAlign | (1u << 20));
  auto h = find_header(b);
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->file_offset, 0x200u);
  EXPECT_EQ(h->flags & kHeaderMemInfo, kHeaderMemInfo);
}

TEST(MultibootHeader, BadChecksumOrOutsideTheFirst8KiBIsNotAHeader) {
  std::vector<uint8_t> b(0x4000, 0);
  put_header(b, 0x2000, 0);  // just past the search window
  EXPECT_EQ(find_header(b).error(), Status::kBadImage);
  put_header(b, 0x1ff4, 0);  // the last 12 bytes of the window
  EXPECT_TRUE(find_header(b).ok());
  put32(b, 0x1ffc, 0);  // checksum broken
  EXPECT_EQ(find_header(b).error(), Status::kBadImage);
}

TEST(MultibootHeader, TruncatedFilesAreRefused) {
  std::vector<uint8_t> b;
  put_header(b, 0, kHeaderAddresses);  // claims address fields it does not have
  EXPECT_EQ(find_header(b).error(), Status::kBadImage);
  b.resize(8);  // magic and flags only
  EXPECT_EQ(find_header(b).error(), Status::kBadImage);
  EXPECT_EQ(find_header({}).error(), Status::kBadImage);
}

TEST(MultibootHeader, RequirementsTandemCannotMeetAreUnsupported) {
  std::vector<uint8_t> b;
  put_header(b, 0, 1u << 2);  // a video mode: Tandem has no framebuffer
  EXPECT_EQ(find_header(b).error(), Status::kUnsupported);
  put_header(b, 0, 1u << 7);  // a requirement bit the spec does not define
  EXPECT_EQ(find_header(b).error(), Status::kUnsupported);
}

TEST(MultibootElf, PlansEveryPtLoadAtItsPhysicalAddressAndTranslatesTheEntry) {
  auto file = good_elf();
  auto image = parse(file);
  ASSERT_TRUE(image.ok());
  EXPECT_EQ(image->entry, 0x100010u);
  ASSERT_EQ(image->segment_count, 2u);
  EXPECT_EQ(image->segments[0].gpa, Gpa(0x100000));
  EXPECT_EQ(image->segments[0].file_size, 15u);
  EXPECT_EQ(image->segments[0].mem_size, 0x1000u);
  EXPECT_EQ(image->segments[1].gpa, Gpa(0x102000));
  EXPECT_EQ(image->end, Gpa(0x104000));
}

TEST(MultibootElf, LoadCopiesFileBytesAndZeroesTheRest) {
  auto file = good_elf();
  auto image = parse(file);
  ASSERT_TRUE(image.ok());
  std::vector<uint8_t> ram(0x200000, 0xaa);
  ASSERT_TRUE(load(file, *image, ram, Gpa(0)).ok());
  EXPECT_EQ(ram[0x100000], 0x02);  // magic 0x1BADB002, little-endian
  EXPECT_EQ(ram[0x10000c], 0xf4);
  EXPECT_EQ(ram[0x10000f], 0x00);  // bss of the first segment
  EXPECT_EQ(ram[0x100fff], 0x00);
  EXPECT_EQ(ram[0x101000], 0xaa);  // between the segments: untouched
  EXPECT_EQ(ram[0x102003], 4);
  EXPECT_EQ(ram[0x103fff], 0x00);
  EXPECT_EQ(ram[0x104000], 0xaa);
}

TEST(MultibootElf, LoadRefusesSegmentsOutsideRamAndWritesNothing) {
  auto file = good_elf();
  auto image = parse(file);
  ASSERT_TRUE(image.ok());
  std::vector<uint8_t> ram(0x103000, 0xaa);  // the second segment's bss does not fit
  EXPECT_EQ(load(file, *image, ram, Gpa(0)).error(), Status::kOutOfRange);
  EXPECT_EQ(ram[0x100000], 0xaa);
  std::vector<uint8_t> high(0x10000);
  EXPECT_EQ(load(file, *image, high, Gpa(0x101000)).error(), Status::kOutOfRange);
}

TEST(MultibootElf, MalformedHeadersAreBadImages) {
  const auto good = good_elf();
  auto with = [&](size_t off, uint32_t v, bool half = false) {
    auto b = good;
    if (half)
      testing::put16(b, off, static_cast<uint16_t>(v));
    else
      put32(b, off, v);
    return parse(b).error();
  };
  EXPECT_EQ(with(0, 0x464c4500), Status::kBadImage);     // not \x7fELF
  EXPECT_EQ(with(4, 0x00010102), Status::kBadImage);     // ELFCLASS64
  EXPECT_EQ(with(18, 62, true), Status::kBadImage);      // EM_X86_64
  EXPECT_EQ(with(16, 3, true), Status::kBadImage);       // ET_DYN
  EXPECT_EQ(with(24, 0xC0200000), Status::kBadImage);    // entry in no segment
  EXPECT_EQ(with(28, 0xfffffff0), Status::kBadImage);    // e_phoff past the end
  EXPECT_EQ(with(42, 16, true), Status::kBadImage);      // e_phentsize too small
  EXPECT_EQ(with(44, 0xffff, true), Status::kBadImage);  // e_phnum past the end
  EXPECT_EQ(with(44, 0, true), Status::kBadImage);       // no program headers
}

TEST(MultibootElf, MalformedSegmentsAreBadImages) {
  const auto good = good_elf();
  const size_t ph = 52;  // first program header
  auto with = [&](size_t off, uint32_t v) {
    auto b = good;
    put32(b, ph + off, v);
    return parse(b).error();
  };
  EXPECT_EQ(with(4, 0xfffffff0), Status::kBadImage);   // p_offset past the end
  EXPECT_EQ(with(16, 0x10000), Status::kBadImage);     // p_filesz past the end
  EXPECT_EQ(with(20, 4), Status::kBadImage);           // p_filesz > p_memsz
  EXPECT_EQ(with(12, 0xfffff800), Status::kBadImage);  // paddr + memsz past 4 GiB
  EXPECT_EQ(with(0, 4), Status::kBadImage);            // PT_NOTE: the entry's segment is gone
}

TEST(MultibootElf, TooManySegmentsAreRefused) {
  std::vector<ElfSegment> segs;
  segs.push_back({0x100000, 0x100000, header_then(0, {0xf4}), 0x1000});
  for (uint32_t i = 1; i <= Image::kMaxSegments; ++i)
    segs.push_back({0x100000 + i * 0x1000, 0x100000 + i * 0x1000, {}, 0x1000});
  auto file = make_elf32(0x100000, segs);
  EXPECT_EQ(parse(file).error(), Status::kBadImage);
}

// a.out kludge: header at file offset 0x40, loaded at 0x200000, so header_addr 0x200040.
std::vector<uint8_t> aout(uint32_t load_end, uint32_t bss_end, uint32_t entry) {
  std::vector<uint8_t> b(0x1000, 0x90);
  put_header(b, 0x40, kHeaderAddresses);
  put32(b, 0x4c, 0x200040);
  put32(b, 0x50, 0x200000);
  put32(b, 0x54, load_end);
  put32(b, 0x58, bss_end);
  put32(b, 0x5c, entry);
  return b;
}

TEST(MultibootAout, AddressFieldsGiveOneSegment) {
  auto file = aout(0x200800, 0x203000, 0x200100);
  auto image = parse(file);
  ASSERT_TRUE(image.ok());
  EXPECT_EQ(image->entry, 0x200100u);
  ASSERT_EQ(image->segment_count, 1u);
  EXPECT_EQ(image->segments[0].gpa, Gpa(0x200000));
  EXPECT_EQ(image->segments[0].file_offset, 0u);
  EXPECT_EQ(image->segments[0].file_size, 0x800u);
  EXPECT_EQ(image->segments[0].mem_size, 0x3000u);

  auto whole = parse(aout(0, 0, 0x200100));  // zeros: the whole file, no bss
  ASSERT_TRUE(whole.ok());
  EXPECT_EQ(whole->segments[0].file_size, 0x1000u);
  EXPECT_EQ(whole->segments[0].mem_size, 0x1000u);
}

TEST(MultibootAout, InconsistentAddressFieldsAreBadImages) {
  EXPECT_EQ(parse(aout(0x201001, 0, 0x200100)).error(), Status::kBadImage);  // past the file
  EXPECT_EQ(parse(aout(0x200020, 0, 0x200010)).error(), Status::kBadImage);  // ends before header
  EXPECT_EQ(parse(aout(0x200800, 0x200400, 0x200100)).error(), Status::kBadImage);  // bss < data
  EXPECT_EQ(parse(aout(0x200800, 0, 0x200800)).error(), Status::kBadImage);         // entry outside
  auto b = aout(0, 0, 0x200100);
  put32(b, 0x50, 0x200080);  // load_addr above header_addr
  EXPECT_EQ(parse(b).error(), Status::kBadImage);
  put32(b, 0x50, 0x100000);  // would start 1 MiB before the file does
  EXPECT_EQ(parse(b).error(), Status::kBadImage);
  b = aout(0, 0xfffff000, 0x200100);
  put32(b, 0x50, 0x200000);
  put32(b, 0x58, 0xffffffff);  // fine, ends at 4 GiB - 1
  EXPECT_TRUE(parse(b).ok());
}

// A hostile image must never make the parser read outside it (run under ASan): flip bytes of
// good images at random and parse; whatever the status, nothing may be read out of bounds.
TEST(MultibootHostile, RandomCorruptionsNeverReadOutOfBounds) {
  std::mt19937 rng(1234);
  const std::vector<std::vector<uint8_t>> seeds = {good_elf(), aout(0x200800, 0x203000, 0x200100)};
  std::vector<uint8_t> ram(0x400000);
  int parsed = 0;
  for (int round = 0; round < 20000; ++round) {
    auto b = seeds[round % seeds.size()];
    const int flips = 1 + static_cast<int>(rng() % 8);
    for (int i = 0; i < flips; ++i) {
      const size_t at = rng() % (b.size() < 0x140 ? b.size() : 0x140);  // headers live here
      b[at] = static_cast<uint8_t>(rng());
    }
    if (rng() % 4 == 0) b.resize(rng() % b.size());
    // Parse a heap copy of exactly the right size so ASan sees any overrun.
    std::vector<uint8_t> exact(b.begin(), b.end());
    auto image = parse(exact);
    if (!image.ok()) continue;
    ++parsed;
    (void)load(exact, *image, ram, Gpa(0));
  }
  EXPECT_GT(parsed, 0);
}

}  // namespace
}  // namespace tandem::multiboot

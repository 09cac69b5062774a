// SPDX-License-Identifier: Apache-2.0
// cli::build_image on small ELF files built here: a "hypervisor" with the segment layout of a
// real image (code, then the payload segment last) and guests that fit, do not fit, or are for
// another architecture.
#include "cli/build_image.h"

#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "backends/baremetal/common/payload.h"
#include "core/loader/elf.h"

namespace tandem::cli {
namespace {

using baremetal::PayloadHeader;

constexpr uint16_t kEmAarch64 = 183, kEmRiscv = 243;
constexpr uint64_t kRamBase = 0x4000'0000;
constexpr uint64_t kPayloadAddr = 0x4022'4000;

struct Seg {
  uint64_t paddr;
  std::vector<uint8_t> bytes;
  uint64_t memsz;
};

template <class T>
void put(std::vector<uint8_t>& b, size_t at, T v) {
  std::memcpy(b.data() + at, &v, sizeof v);
}
template <class T>
T get(const std::vector<uint8_t>& b, size_t at) {
  T v;
  std::memcpy(&v, b.data() + at, sizeof v);
  return v;
}

// ELF64 executable: header, program headers, segment bytes 4 KiB aligned, then a section
// table with a null entry and one PROGBITS section per segment.
std::vector<uint8_t> make_elf(uint16_t machine, const std::vector<Seg>& segs) {
  std::vector<uint8_t> f(64 + 56 * segs.size(), 0);
  const uint8_t ident[] = {0x7f, 'E', 'L', 'F', 2, 1, 1};
  std::memcpy(f.data(), ident, sizeof ident);
  put<uint16_t>(f, 16, 2);  // ET_EXEC
  put<uint16_t>(f, 18, machine);
  put<uint32_t>(f, 20, 1);
  put<uint64_t>(f, 24, segs.empty() ? 0 : segs[0].paddr);
  put<uint64_t>(f, 32, 64);
  put<uint16_t>(f, 52, 64);
  put<uint16_t>(f, 54, 56);
  put<uint16_t>(f, 56, static_cast<uint16_t>(segs.size()));
  std::vector<uint64_t> offsets;
  for (const Seg& s : segs) {
    f.resize((f.size() + 4095) & ~size_t{4095});
    offsets.push_back(f.size());
    f.insert(f.end(), s.bytes.begin(), s.bytes.end());
  }
  for (size_t i = 0; i < segs.size(); i++) {
    const size_t ph = 64 + 56 * i;
    put<uint32_t>(f, ph, 1);  // PT_LOAD
    put<uint32_t>(f, ph + 4, 4);
    put<uint64_t>(f, ph + 8, offsets[i]);
    put<uint64_t>(f, ph + 16, segs[i].paddr);
    put<uint64_t>(f, ph + 24, segs[i].paddr);
    put<uint64_t>(f, ph + 32, segs[i].bytes.size());
    put<uint64_t>(f, ph + 40, segs[i].memsz);
    put<uint64_t>(f, ph + 48, 4096);
  }
  const size_t shoff = f.size();
  f.resize(shoff + 64 * (segs.size() + 1), 0);
  for (size_t i = 0; i < segs.size(); i++) {
    const size_t sh = shoff + 64 * (i + 1);
    put<uint32_t>(f, sh + 4, 1);  // SHT_PROGBITS
    put<uint64_t>(f, sh + 16, segs[i].paddr);
    put<uint64_t>(f, sh + 24, offsets[i]);
    put<uint64_t>(f, sh + 32, segs[i].bytes.size());
  }
  put<uint64_t>(f, 40, shoff);
  put<uint16_t>(f, 58, 64);
  put<uint16_t>(f, 60, static_cast<uint16_t>(segs.size() + 1));
  return f;
}

std::vector<uint8_t> header_bytes(const PayloadHeader& h) {
  std::vector<uint8_t> b(sizeof h);
  std::memcpy(b.data(), &h, sizeof h);
  return b;
}

std::vector<uint8_t> hypervisor(PayloadHeader h = baremetal::empty_payload(kEmAarch64, kRamBase)) {
  return make_elf(kEmAarch64, {{0x4020'0000, std::vector<uint8_t>(300, 0xaa), 0x2'0000},
                               {kPayloadAddr, header_bytes(h), sizeof h}});
}

std::vector<uint8_t> guest(uint16_t machine = kEmAarch64, uint64_t addr = 0x4020'0000,
                           uint64_t memsz = 0x1000) {
  return make_elf(machine, {{addr, std::vector<uint8_t>(100, 0x5a), memsz}});
}

TEST(BuildImage, PacksTheGuestIntoThePayloadSegment) {
  const auto hv = hypervisor();
  const auto g = guest();
  std::vector<uint8_t> out;
  std::string message;
  ASSERT_TRUE(build_image(hv, g, 64ull << 20, out, &message)) << message;

  auto image = parse_elf(out);
  ASSERT_TRUE(image);
  ASSERT_EQ(image->segment_count, 2u);
  const ElfSegment& p = image->segments[1];
  EXPECT_EQ(p.paddr, kPayloadAddr);
  EXPECT_EQ(p.offset % 4096, 0u);
  EXPECT_EQ(p.filesz, baremetal::kPayloadGuestOffset + g.size());
  EXPECT_EQ(p.memsz, p.filesz);
  // The code segment and its bytes are untouched.
  EXPECT_EQ(image->segments[0].offset, parse_elf(hv)->segments[0].offset);

  PayloadHeader h;
  std::memcpy(&h, out.data() + p.offset, sizeof h);
  EXPECT_EQ(h.magic, baremetal::kPayloadMagic);
  EXPECT_EQ(h.guest_elf_offset, baremetal::kPayloadGuestOffset);
  EXPECT_EQ(h.guest_elf_size, g.size());
  EXPECT_EQ(h.guest_mem, 64ull << 20);
  EXPECT_EQ(h.total_size, p.filesz);
  EXPECT_EQ(h.guest_ram_base, kRamBase);
  EXPECT_EQ(h.cpus, 1u);
  EXPECT_EQ(0, std::memcmp(out.data() + p.offset + h.guest_elf_offset, g.data(), g.size()));

  // The .payload section header follows the segment.
  const uint64_t shoff = get<uint64_t>(out, 40);
  EXPECT_EQ(get<uint64_t>(out, shoff + 64 * 2 + 24), p.offset);
  EXPECT_EQ(get<uint64_t>(out, shoff + 64 * 2 + 32), p.filesz);
}

TEST(BuildImage, RefusesAGuestOfAnotherArchitecture) {
  std::vector<uint8_t> out;
  std::string message;
  auto r = build_image(hypervisor(), guest(kEmRiscv, 0x8020'0000), 64ull << 20, out, &message);
  EXPECT_EQ(r.error(), Status::kUnsupported);
  EXPECT_EQ(message, "guest is riscv64 but the image runs aarch64 guests");
}

TEST(BuildImage, RefusesAGuestThatDoesNotFitInItsRam) {
  std::vector<uint8_t> out;
  std::string message;
  // 2 MiB of RAM, a segment reaching 4 MiB above the base.
  auto r = build_image(hypervisor(), guest(kEmAarch64, 0x4020'0000, 0x20'0000), 2ull << 20, out,
                       &message);
  EXPECT_EQ(r.error(), Status::kOutOfRange);
  EXPECT_NE(message.find("does not fit in guest RAM"), std::string::npos) << message;
  // Below the RAM base.
  r = build_image(hypervisor(), guest(kEmAarch64, 0x1000), 64ull << 20, out, &message);
  EXPECT_EQ(r.error(), Status::kOutOfRange);
}

TEST(BuildImage, StoresTheCpuCount) {
  std::vector<uint8_t> out;
  std::string message;
  ASSERT_TRUE(build_image(hypervisor(), guest(), 64ull << 20, out, &message, 4)) << message;
  const auto image = parse_elf(out);
  ASSERT_TRUE(image);
  PayloadHeader h;
  std::memcpy(&h, out.data() + image->segments[1].offset, sizeof h);
  EXPECT_EQ(h.cpus, 4u);
  EXPECT_EQ(build_image(hypervisor(), guest(), 64ull << 20, out, &message, 0).error(),
            Status::kInvalidArgument);
  EXPECT_EQ(build_image(hypervisor(), guest(), 64ull << 20, out, &message, 9).error(),
            Status::kInvalidArgument);
}

TEST(BuildImage, StoresTheBoardName) {
  std::vector<uint8_t> out;
  std::string message;
  const auto header = [&out] {
    PayloadHeader h;
    std::memcpy(&h, out.data() + parse_elf(out)->segments[1].offset, sizeof h);
    return h;
  };
  ASSERT_TRUE(build_image(hypervisor(), guest(), 64ull << 20, out, &message, 1, "virt")) << message;
  EXPECT_STREQ(header().board, "virt");
  // No name: all zero, the image's default board.
  ASSERT_TRUE(build_image(hypervisor(), guest(), 64ull << 20, out, &message)) << message;
  EXPECT_EQ(std::string(header().board, sizeof header().board), std::string(16, '\0'));
  // 15 characters and the NUL fill the field; one more is refused.
  EXPECT_TRUE(build_image(hypervisor(), guest(), 64ull << 20, out, &message, 1, "fifteen-chars-x"));
  EXPECT_EQ(
      build_image(hypervisor(), guest(), 64ull << 20, out, &message, 1, "sixteen-chars-xx").error(),
      Status::kInvalidArgument);
}

TEST(BuildImage, RefusesBadInputs) {
  std::vector<uint8_t> out;
  std::string message;
  EXPECT_EQ(build_image(hypervisor(), guest(), 12345, out, &message).error(),
            Status::kInvalidArgument);
  EXPECT_EQ(build_image(hypervisor(), guest(), 0, out).error(), Status::kInvalidArgument);
  // A guest that is not an ELF file.
  const std::vector<uint8_t> junk(200, 0x42);
  EXPECT_EQ(build_image(hypervisor(), junk, 64ull << 20, out, &message).error(), Status::kBadImage);
  EXPECT_NE(message.find("guest: not a loadable ELF64"), std::string::npos) << message;
  // A hypervisor without a payload area (any ordinary ELF).
  EXPECT_EQ(build_image(guest(), guest(), 64ull << 20, out, &message).error(), Status::kBadImage);
  EXPECT_NE(message.find("no payload area"), std::string::npos) << message;
  // Truncated hypervisor.
  const auto hv = hypervisor();
  EXPECT_FALSE(build_image(std::span(hv).first(100), guest(), 64ull << 20, out));
}

TEST(BuildImage, RefusesAnImageThatAlreadyHoldsAGuest) {
  std::vector<uint8_t> once, twice;
  ASSERT_TRUE(build_image(hypervisor(), guest(), 64ull << 20, once));
  std::string message;
  EXPECT_EQ(build_image(once, guest(), 64ull << 20, twice, &message).error(), Status::kBadImage);
  EXPECT_NE(message.find("already contains a guest"), std::string::npos) << message;
}

TEST(BuildImage, RefusesAPayloadSegmentThatIsNotLast) {
  const auto h = header_bytes(baremetal::empty_payload(kEmAarch64, kRamBase));
  const auto hv = make_elf(kEmAarch64, {{kPayloadAddr, h, h.size()},
                                        {kPayloadAddr + 0x1000, std::vector<uint8_t>(8), 8}});
  std::vector<uint8_t> out;
  std::string message;
  EXPECT_EQ(build_image(hv, guest(), 64ull << 20, out, &message).error(), Status::kBadImage);
  EXPECT_NE(message.find("not the last one"), std::string::npos) << message;
}

}  // namespace
}  // namespace tandem::cli

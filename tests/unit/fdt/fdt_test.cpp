// SPDX-License-Identifier: Apache-2.0
// The FDT reader on real DTBs and on malformed ones. The qemu-virt-*.dtb files are QEMU 7.2's
// own trees, packed by dtc:
//   qemu-system-aarch64 -M virt,virtualization=on,gic-version=3,dumpdtb=x.dtb -cpu cortex-a72
//     -m 256M; qemu-system-riscv64 -M virt,dumpdtb=x.dtb -m 256M; dtc -I dtb -O dtb x.dtb
// aliases.dtb is built from aliases.dts in this folder.
#include "core/fdt/fdt.h"

#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

namespace tandem::fdt {
namespace {

std::vector<uint8_t> load(const char* name) {
  // Not __FILE__: with ccache's CCACHE_BASEDIR it is relative to the build directory.
  const auto path = std::filesystem::path(TANDEM_SOURCE_DIR) / "tests/unit/fdt" / name;
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << path;
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void set_be32(std::vector<uint8_t>& b, size_t off, uint32_t v) {
  b[off] = static_cast<uint8_t>(v >> 24);
  b[off + 1] = static_cast<uint8_t>(v >> 16);
  b[off + 2] = static_cast<uint8_t>(v >> 8);
  b[off + 3] = static_cast<uint8_t>(v);
}

TEST(Fdt, QemuVirtAarch64MemoryAndConsole) {
  const auto blob = load("qemu-virt-aarch64.dtb");
  auto fdt = Fdt::open(blob);
  ASSERT_TRUE(fdt);
  EXPECT_EQ(fdt->total_size(), blob.size());
  MemRange mem[4];
  auto n = fdt->memory(mem);
  ASSERT_TRUE(n);
  ASSERT_EQ(*n, 1u);
  EXPECT_EQ(mem[0].base, 0x4000'0000u);
  EXPECT_EQ(mem[0].size, 256u << 20);
  auto reserved = fdt->reserved({});
  ASSERT_TRUE(reserved);
  EXPECT_EQ(*reserved, 0u);

  auto uart = fdt->stdout_node();
  ASSERT_TRUE(uart);
  EXPECT_TRUE(fdt->is_compatible(*uart, "arm,pl011"));
  EXPECT_TRUE(fdt->is_compatible(*uart, "arm,primecell"));
  EXPECT_FALSE(fdt->is_compatible(*uart, "arm,pl01"));
  auto reg = fdt->reg(*uart, 0);
  ASSERT_TRUE(reg);
  EXPECT_EQ(reg->base, 0x0900'0000u);
  EXPECT_EQ(reg->size, 0x1000u);
  EXPECT_EQ(fdt->reg(*uart, 1).error(), Status::kNotFound);
}

TEST(Fdt, QemuVirtRiscv64ConsoleUnderSoc) {
  const auto blob = load("qemu-virt-riscv64.dtb");
  auto fdt = Fdt::open(blob);
  ASSERT_TRUE(fdt);
  MemRange mem[1];
  ASSERT_EQ(fdt->memory(mem).value_or(0), 1u);
  EXPECT_EQ(mem[0].base, 0x8000'0000u);
  auto uart = fdt->stdout_node();
  ASSERT_TRUE(uart);
  EXPECT_TRUE(fdt->is_compatible(*uart, "ns16550a"));
  EXPECT_EQ(fdt->reg(*uart, 0).value_or({}).base, 0x1000'0000u);
  // Unit addresses may be left out of a path.
  auto soc = fdt->find_node("/soc", 4);
  ASSERT_TRUE(soc);
  auto test = fdt->find_node("/soc/test", 9);
  ASSERT_TRUE(test);
  EXPECT_EQ(fdt->reg(*test, 0).value_or({}).base, 0x10'0000u);
  EXPECT_EQ(fdt->find_node("/soc/nothing", 12).error(), Status::kNotFound);
  EXPECT_EQ(fdt->find_node("soc", 3).error(), Status::kInvalidArgument);
}

TEST(Fdt, AliasesReservationsAndOneCellNumbers) {
  const auto blob = load("aliases.dtb");
  auto fdt = Fdt::open(blob);
  ASSERT_TRUE(fdt);
  MemRange mem[2];
  auto n = fdt->memory(mem);
  ASSERT_TRUE(n);
  EXPECT_EQ(*n, 3u);  // counted past the end of `mem`
  EXPECT_EQ(mem[0].base, 0x8000'0000u);
  EXPECT_EQ(mem[0].size, 0x1000'0000u);
  EXPECT_EQ(mem[1].base, 0xa000'0000u);
  MemRange rsv[3];
  ASSERT_EQ(fdt->reserved(rsv).value_or(0), 3u);
  EXPECT_EQ(rsv[1].base, 0x9ff0'0000u);
  EXPECT_EQ(rsv[1].size, 0x10'0000u);
  EXPECT_EQ(rsv[2].base, 0x8000'0000u);  // /reserved-memory/firmware@80000000
  EXPECT_EQ(rsv[2].size, 0x4'0000u);
  auto uart = fdt->stdout_node();
  ASSERT_TRUE(uart);
  EXPECT_TRUE(fdt->is_compatible(*uart, "ns16550a"));
  EXPECT_EQ(fdt->reg(*uart, 0).value_or({}).base, 0x1c2'8000u);
  EXPECT_EQ(fdt->property_u32(*uart, "reg-shift").value_or(0), 2u);
}

TEST(Fdt, HeaderChecks) {
  auto blob = load("qemu-virt-aarch64.dtb");
  EXPECT_EQ(Fdt::total_size(blob).value_or(0), blob.size());
  EXPECT_FALSE(Fdt::total_size(std::span(blob).first(39)));
  EXPECT_FALSE(Fdt::open(std::span(blob).first(blob.size() - 1)));  // totalsize beyond the span
  auto bad = blob;
  bad[0] ^= 1;  // magic
  EXPECT_EQ(Fdt::open(bad).error(), Status::kBadImage);
  bad = blob;
  set_be32(bad, 8, 0xffff'fff0);  // off_dt_struct
  EXPECT_FALSE(Fdt::open(bad));
  bad = blob;
  set_be32(bad, 36, 0xffff'ffff);  // size_dt_struct
  EXPECT_FALSE(Fdt::open(bad));
  bad = blob;
  set_be32(bad, 20, 16);  // version 16 has no size_dt_struct
  EXPECT_FALSE(Fdt::open(bad));
}

// Every query on a blob; returns normally whatever the content.
void query_everything(std::span<const uint8_t> blob) {
  auto fdt = Fdt::open(blob);
  if (!fdt) return;
  MemRange mem[4];
  (void)fdt->memory(mem);
  (void)fdt->reserved(mem);
  if (auto uart = fdt->stdout_node()) {
    (void)fdt->reg(*uart, 0);
    (void)fdt->is_compatible(*uart, "arm,pl011");
  }
  (void)fdt->find_node("/soc/serial@10000000", 20);
}

uint32_t get_be32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}

// Each copy is exactly as large as its header claims, so a read past its end is a heap overflow
// that the sanitizer build (preset asan) reports. Truncated copies get their header shrunk to
// match, so the walk itself (not only the header check) meets the cut.
TEST(Fdt, TruncatedAndCorruptedBlobsAreRefusedNotOverread) {
  for (const char* name : {"aliases.dtb", "qemu-virt-riscv64.dtb"}) {
    const auto blob = load(name);
    for (size_t len = 0; len < blob.size(); len++) {
      std::vector<uint8_t> copy(blob.begin(), blob.begin() + static_cast<ptrdiff_t>(len));
      if (len >= kFdtHeaderSize) {
        set_be32(copy, 4, static_cast<uint32_t>(len));
        for (size_t field : {size_t{8}, size_t{12}}) {  // struct and strings block
          const uint32_t off = get_be32(&copy[field]);
          const size_t size_field = field == 8 ? 36 : 32;
          if (off < len && off + get_be32(&copy[size_field]) > len) {
            set_be32(copy, size_field, static_cast<uint32_t>(len - off));
          }
        }
      }
      query_everything(copy);
    }
    for (size_t i = 0; i < blob.size(); i++) {
      for (uint8_t flip : {0x01, 0x80, 0xff}) {
        auto copy = blob;
        copy[i] ^= flip;
        query_everything(copy);
      }
    }
  }
}

TEST(Fdt, TokensThatLieAboutTheirSize) {
  auto blob = load("aliases.dtb");
  // The first property of the root node follows BEGIN_NODE "" (8 bytes into the structure
  // block): make its length run past the block.
  const uint32_t s = get_be32(&blob[8]);
  ASSERT_EQ(blob[s + 11], 3u);  // FDT_PROP
  auto bad = blob;
  set_be32(bad, s + 12, 0xffff'fff0);
  auto fdt = Fdt::open(bad);
  ASSERT_TRUE(fdt);
  EXPECT_FALSE(fdt->stdout_node());
  MemRange mem[1];
  EXPECT_EQ(fdt->memory(mem).error(), Status::kBadImage);
  bad = blob;
  set_be32(bad, s + 16, 0x7fff'ffff);  // nameoff outside the strings block
  fdt = Fdt::open(bad);
  ASSERT_TRUE(fdt);
  EXPECT_EQ(fdt->memory(mem).error(), Status::kBadImage);
}

}  // namespace
}  // namespace tandem::fdt

// SPDX-License-Identifier: Apache-2.0
#include "core/mm/guest_memory.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <vector>

#include "backends/hosted/host_paging.h"
#include "core/hal.h"
#include "test_frame_allocator.h"

namespace tandem::test {
namespace {

constexpr Gpa kRam(0x8000'0000);
constexpr uint64_t kRamSize = 4ull << 20;
constexpr Gpa kUart(0x1000'0000);

// RISC-V virt-like layout: a UART hole, contiguous RAM, on-demand RAM right after it.
class GuestMemoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto as = AddressSpace::create(m_alloc, Stage2Config::of(Stage2Format::kSv39x4));
    ASSERT_TRUE(as.ok());
    m_as.emplace(std::move(*as));
    ASSERT_TRUE(m_as->add_mmio(kUart, 0x1000).ok());
    ASSERT_TRUE(m_as->add_ram_alloc(kRam, kRamSize).ok());
    ASSERT_TRUE(m_as->add_ram_on_demand(kRam + kRamSize, kRamSize).ok());
    m_host = to_ptr<uint8_t>(*m_as->host_address(*m_as->find(kRam)));
  }

  // The byte at `gpa` as the host sees it through stage 2 and phys_to_virt.
  uint8_t byte_at(Gpa gpa) {
    const auto t = m_as->stage2().translate(gpa);
    EXPECT_TRUE(t.ok());
    return *to_ptr<uint8_t>(m_alloc.phys_to_virt(t->hpa));
  }

  TestFrameAllocator m_alloc;
  std::optional<AddressSpace> m_as;
  uint8_t* m_host = nullptr;
};

TEST_F(GuestMemoryTest, LastByteOkOnePastRefused) {
  GuestMemory mem(*m_as);
  const Gpa last = kRam + kRamSize - 1;
  const uint8_t one = 0x42;
  EXPECT_TRUE(mem.write(last, {&one, 1}).ok());
  EXPECT_EQ(m_host[kRamSize - 1], 0x42);
  EXPECT_EQ(*mem.read_obj<uint8_t>(last), 0x42);
  // The byte after contiguous RAM belongs to on-demand RAM, so test the region below RAM.
  EXPECT_EQ(mem.read_obj<uint8_t>(kRam - 1).error(), Status::kNotMapped);
  const Gpa end_of_all = kRam + 2 * kRamSize;
  EXPECT_TRUE(mem.write_obj<uint8_t>(end_of_all - 1, 7).ok());
  EXPECT_EQ(mem.write_obj<uint8_t>(end_of_all, 7).error(), Status::kNotMapped);
}

TEST_F(GuestMemoryTest, StraddlingTheEndWritesNothing) {
  GuestMemory mem(*m_as);
  std::vector<uint8_t> data(64, 0xee);
  // 32 bytes in RAM, 32 below it.
  EXPECT_EQ(mem.write(kRam - 32, data).error(), Status::kNotMapped);
  for (int i = 0; i < 32; ++i) EXPECT_EQ(m_host[i], 0) << i;
  // 32 bytes of on-demand RAM, then nothing: not even the on-demand pages are written.
  const Gpa end_of_all = kRam + 2 * kRamSize;
  EXPECT_EQ(mem.write(end_of_all - 32, data).error(), Status::kNotMapped);
  EXPECT_EQ(*mem.read_obj<uint64_t>(end_of_all - 32), 0u);
  // Into an MMIO hole: refused as a whole, with kPermission.
  EXPECT_EQ(mem.read(kUart, data).error(), Status::kPermission);
  EXPECT_EQ(mem.fill(kUart - 8, 16, 0).error(), Status::kNotMapped);
  EXPECT_EQ(mem.fill(Gpa(~0ull - 7), 16, 0).error(), Status::kOutOfRange);
}

TEST_F(GuestMemoryTest, CopiesAcrossPagesAndRegions) {
  GuestMemory mem(*m_as);
  // 3 pages plus change, starting 16 bytes before the end of contiguous RAM: the copy walks
  // from the owned region into on-demand RAM, backed as it goes.
  std::vector<uint8_t> data(3 * 4096 + 100);
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<uint8_t>(i * 7 + 3);
  const Gpa at = kRam + kRamSize - 16;
  ASSERT_TRUE(mem.write(at, data).ok());
  for (size_t i = 0; i < data.size(); i += 499) EXPECT_EQ(byte_at(at + i), data[i]) << i;
  EXPECT_EQ(byte_at(at + data.size() - 1), data.back());
  EXPECT_EQ(m_host[kRamSize - 16], data[0]);
  std::vector<uint8_t> back(data.size());
  ASSERT_TRUE(mem.read(at, back).ok());
  EXPECT_EQ(back, data);
  // Four on-demand pages were touched: the 2 MiB block holding them is backed, the next not.
  const auto p0 = m_as->stage2().translate(kRam + kRamSize);
  const auto p3 = m_as->stage2().translate(kRam + kRamSize + 3 * kPageSize4K);
  ASSERT_TRUE(p0.ok() && p3.ok());
  EXPECT_EQ(p0->page_size, kPageSize2M);
  EXPECT_EQ(p3->hpa - p0->hpa, 3 * kPageSize4K);
  EXPECT_EQ(m_as->stage2().translate(kRam + kRamSize + kPageSize2M).error(), Status::kNotMapped);
}

TEST_F(GuestMemoryTest, ObjectsAndFill) {
  GuestMemory mem(*m_as);
  struct Desc {
    uint64_t addr;
    uint32_t len;
    uint16_t flags;
    uint16_t next;
  };
  const Gpa at = kRam + 0x1000 - 6;  // straddles a page boundary
  ASSERT_TRUE(mem.write_obj(at, Desc{0x1122'3344'5566'7788, 0x200, 3, 9}).ok());
  EXPECT_EQ(m_host[0x1000 - 6], 0x88);  // little-endian addr
  EXPECT_EQ(m_host[0x1000 + 1], 0x11);
  const Desc d = *mem.read_obj<Desc>(at);
  EXPECT_EQ(d.addr, 0x1122'3344'5566'7788u);
  EXPECT_EQ(d.len, 0x200u);
  EXPECT_EQ(d.next, 9u);
  ASSERT_TRUE(mem.fill(kRam + 0x2ff0, 0x20, 0xab).ok());
  EXPECT_EQ(m_host[0x2fef], 0);
  EXPECT_EQ(m_host[0x2ff0], 0xab);
  EXPECT_EQ(m_host[0x300f], 0xab);
  EXPECT_EQ(m_host[0x3010], 0);
  EXPECT_TRUE(mem.fill(kRam, 0, 0xff).ok());
  EXPECT_EQ(m_host[0], 0);
}

TEST_F(GuestMemoryTest, DeviceMappingsAreNotRam) {
  GuestMemory mem(*m_as);
  // A passthrough device page mapped straight into stage 2.
  const Hpa frame = *m_alloc.alloc_frame();
  ASSERT_TRUE(m_as->stage2().map(Gpa(0x2000'0000), frame, 0x1000, kMemDevice).ok());
  EXPECT_EQ(mem.read_obj<uint32_t>(Gpa(0x2000'0000)).error(), Status::kPermission);
  ASSERT_TRUE(m_as->stage2().unmap(Gpa(0x2000'0000), 0x1000).ok());
  m_alloc.free_frame(frame);
}

TEST_F(GuestMemoryTest, OnDemandOutOfMemoryWritesNothing) {
  GuestMemory mem(*m_as);
  m_alloc.set_budget(0);
  std::vector<uint8_t> data(32, 0x77);
  EXPECT_EQ(mem.write(kRam + kRamSize - 16, data).error(), Status::kNoMemory);
  EXPECT_EQ(m_host[kRamSize - 16], 0);
}

TEST(GuestMemory, OnHostPagingHandler) {
  hosted::HostPagingHandler handler;
  PagingHandlerAdapter<hosted::HostPagingHandler> alloc(handler);
  {
    auto as = AddressSpace::create(alloc, Stage2Config::of(Stage2Format::kEpt));
    ASSERT_TRUE(as.ok());
    ASSERT_TRUE(as->add_ram_on_demand(Gpa(0), 1ull << 30).ok());
    GuestMemory mem(*as);
    // Straddles a 2 MiB boundary: two on-demand pages.
    ASSERT_TRUE(mem.write_obj<uint64_t>(Gpa(0x1fff'fffc), 0x0123'4567'89ab'cdef).ok());
    EXPECT_EQ(*mem.read_obj<uint64_t>(Gpa(0x1fff'fffc)), 0x0123'4567'89ab'cdefu);
    EXPECT_EQ(*mem.read_obj<uint32_t>(Gpa(0x2000'0000)), 0x0123'4567u);
    EXPECT_EQ(mem.read_obj<uint64_t>(Gpa(0x3fff'fffd)).error(), Status::kNotMapped);
  }
  EXPECT_EQ(handler.frames_in_use(), 0u);
}

}  // namespace
}  // namespace tandem::test

// SPDX-License-Identifier: Apache-2.0
// A guest for the virtio device tests: 4 MiB of RAM at 0x8000_0000 behind a real address
// space, an MMIO hole, a transport, and a driver that programs it the way a guest does
// (virtio 1.2 3.1.1, 4.2.3) with its rings at fixed guest addresses. Tests build descriptor
// chains (well-formed or hostile) straight into guest RAM.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "core/mm/address_space.h"
#include "core/mm/guest_memory.h"
#include "devices/virtio/block_storage.h"
#include "devices/virtio/entropy_source.h"
#include "devices/virtio/mmio_regs.h"
#include "devices/virtio/mmio_transport.h"
#include "unit/devices/fakes.h"
#include "unit/mm/test_frame_allocator.h"

namespace tandem::test {

namespace vio = tandem::virtio;

constexpr uint64_t kRamBase = 0x8000'0000;
constexpr uint64_t kRamSize = 4ull << 20;
constexpr uint64_t kMmioHole = 0x1000'0000;
// Queue q's areas: descriptor table, driver area, device area; data buffers from kData up.
constexpr uint64_t queue_desc(unsigned q) { return kRamBase + 0x10000 * (q + 1); }
constexpr uint64_t queue_driver(unsigned q) { return queue_desc(q) + 0x4000; }
constexpr uint64_t queue_device(unsigned q) { return queue_desc(q) + 0x8000; }
constexpr uint64_t kData = kRamBase + 0x10'0000;
constexpr uint16_t kQueueSize = 16;

// Sectors in a vector; every call recorded.
class MemoryDisk final : public vio::BlockStorage {
 public:
  explicit MemoryDisk(size_t sectors, bool read_only = false)
      : bytes(sectors * 512, 0), ro(read_only) {}
  uint64_t size() const override { return bytes.size(); }
  bool read_only() const override { return ro; }
  Result<void> read(uint64_t offset, std::span<uint8_t> out) override {
    std::memcpy(out.data(), bytes.data() + offset, out.size());
    return ok();
  }
  Result<void> write(uint64_t offset, std::span<const uint8_t> in) override {
    writes++;
    std::memcpy(bytes.data() + offset, in.data(), in.size());
    return ok();
  }
  Result<void> flush() override {
    flushes++;
    return ok();
  }
  Result<void> discard(uint64_t offset, uint64_t size) override {
    discards.emplace_back(offset, size);
    return ok();
  }
  Result<void> write_zeroes(uint64_t offset, uint64_t size) override {
    std::memset(bytes.data() + offset, 0, size);
    return ok();
  }
  std::span<const char> id() const override { return {serial.data(), serial.size()}; }

  std::vector<uint8_t> bytes;
  bool ro;
  int writes = 0;
  int flushes = 0;
  std::vector<std::pair<uint64_t, uint64_t>> discards;
  std::string serial = "disk-serial";
};

// Counts up from a seed, so tests can tell the bytes came from it.
class CountingEntropy final : public vio::EntropySource {
 public:
  Result<void> fill(std::span<uint8_t> out) override {
    if (fail) return Error(Status::kBackend);
    for (uint8_t& b : out) b = next++;
    return ok();
  }
  uint8_t next = 1;
  bool fail = false;
};

class VirtioTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto as = AddressSpace::create(m_alloc, Stage2Config::of(Stage2Format::kSv39x4));
    ASSERT_TRUE(as.ok());
    m_as.emplace(std::move(*as));
    ASSERT_TRUE(m_as->add_mmio(Gpa(kMmioHole), 0x1000).ok());
    ASSERT_TRUE(m_as->add_ram_alloc(Gpa(kRamBase), kRamSize).ok());
    m_mem.emplace(*m_as);
    m_transport.set_memory(*m_as);
    m_transport.connect_irq(IrqLine(&m_irq, 7));
  }

  uint32_t reg(uint64_t off) { return static_cast<uint32_t>(m_transport.read(off, 4)); }
  void set_reg(uint64_t off, uint32_t v) { m_transport.write(off, 4, v); }

  // 3.1.1 up to FEATURES_OK with `features`; whether the device kept FEATURES_OK.
  bool negotiate(uint64_t features) {
    set_reg(vio::mmio::kStatus, 0);
    set_reg(vio::mmio::kStatus, vio::kStatusAcknowledge);
    set_reg(vio::mmio::kStatus, vio::kStatusAcknowledge | vio::kStatusDriver);
    set_reg(vio::mmio::kDriverFeaturesSel, 0);
    set_reg(vio::mmio::kDriverFeatures, static_cast<uint32_t>(features));
    set_reg(vio::mmio::kDriverFeaturesSel, 1);
    set_reg(vio::mmio::kDriverFeatures, static_cast<uint32_t>(features >> 32));
    set_reg(vio::mmio::kStatus,
            vio::kStatusAcknowledge | vio::kStatusDriver | vio::kStatusFeaturesOk);
    return (reg(vio::mmio::kStatus) & vio::kStatusFeaturesOk) != 0;
  }
  void setup_queue(unsigned q, uint16_t size = kQueueSize) {
    set_reg(vio::mmio::kQueueSel, q);
    set_reg(vio::mmio::kQueueNum, size);
    set_reg(vio::mmio::kQueueDescLow, static_cast<uint32_t>(queue_desc(q)));
    set_reg(vio::mmio::kQueueDescLow + 4, static_cast<uint32_t>(queue_desc(q) >> 32));
    set_reg(vio::mmio::kQueueDriverLow, static_cast<uint32_t>(queue_driver(q)));
    set_reg(vio::mmio::kQueueDriverLow + 4, 0);
    set_reg(vio::mmio::kQueueDeviceLow, static_cast<uint32_t>(queue_device(q)));
    set_reg(vio::mmio::kQueueDeviceLow + 4, 0);
    set_reg(vio::mmio::kQueueReady, 1);
  }
  void driver_ok() {
    set_reg(vio::mmio::kStatus, vio::kStatusAcknowledge | vio::kStatusDriver |
                                    vio::kStatusFeaturesOk | vio::kStatusDriverOk);
  }
  // Plugs `device`, negotiates `features` and readies its queues.
  void start(vio::VirtioDevice& device, uint64_t features = vio::kFVersion1) {
    m_transport.plug(device);
    ASSERT_TRUE(negotiate(features));
    for (unsigned q = 0; q < device.queue_count(); q++) setup_queue(q);
    driver_ok();
    ASSERT_EQ(reg(vio::mmio::kStatus) & vio::kStatusNeedsReset, 0u);
  }

  void put_desc(unsigned q, uint16_t i, uint64_t addr, uint32_t len, uint16_t flags,
                uint16_t next = 0) {
    put_desc_at(queue_desc(q) + 16ull * i, addr, len, flags, next);
  }
  void put_desc_at(uint64_t table_entry, uint64_t addr, uint32_t len, uint16_t flags,
                   uint16_t next = 0) {
    const vio::Descriptor d{addr, len, flags, next};
    ASSERT_TRUE(m_mem->write_obj(Gpa(table_entry), d).ok());
  }
  // Makes chain `head` available on queue q and notifies.
  void make_available(unsigned q, uint16_t head, bool notify = true) {
    const uint16_t idx = read16(queue_driver(q) + 2);
    write16(queue_driver(q) + 4 + 2 * (idx % kQueueSize), head);
    write16(queue_driver(q) + 2, static_cast<uint16_t>(idx + 1));
    if (notify) set_reg(vio::mmio::kQueueNotify, q);
  }
  uint16_t used_idx(unsigned q) { return read16(queue_device(q) + 2); }
  // The used element i of queue q: {id, len}.
  std::pair<uint32_t, uint32_t> used(unsigned q, uint16_t i) {
    const uint64_t at = queue_device(q) + 4 + 8ull * (i % kQueueSize);
    return {read32(at), read32(at + 4)};
  }

  uint16_t read16(uint64_t gpa) { return m_mem->read_obj<uint16_t>(Gpa(gpa)).value_or(0xdead); }
  uint32_t read32(uint64_t gpa) { return m_mem->read_obj<uint32_t>(Gpa(gpa)).value_or(0xdead); }
  void write16(uint64_t gpa, uint16_t v) { ASSERT_TRUE(m_mem->write_obj(Gpa(gpa), v).ok()); }
  void write_bytes(uint64_t gpa, const void* p, size_t n) {
    ASSERT_TRUE(m_mem->write(Gpa(gpa), {static_cast<const uint8_t*>(p), n}).ok());
  }
  std::vector<uint8_t> bytes(uint64_t gpa, size_t n) {
    std::vector<uint8_t> out(n);
    EXPECT_TRUE(m_mem->read(Gpa(gpa), out).ok());
    return out;
  }
  void clear_ram() { ASSERT_TRUE(m_mem->fill(Gpa(kRamBase), kRamSize, 0).ok()); }
  bool needs_reset() { return (reg(vio::mmio::kStatus) & vio::kStatusNeedsReset) != 0; }

  TestFrameAllocator m_alloc{4096};
  std::optional<AddressSpace> m_as;
  std::optional<GuestMemory> m_mem;
  vio::MmioTransport m_transport;
  FakeIrqController m_irq;
};

}  // namespace tandem::test

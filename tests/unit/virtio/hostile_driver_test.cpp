// SPDX-License-Identifier: Apache-2.0
// Drivers that break the split-virtqueue rules (virtio 1.2 2.7): each leaves the device in a
// defined state (DEVICE_NEEDS_RESET with a configuration-change interrupt, or the request
// failed) and touches nothing outside guest RAM; the ASan preset runs these. A reset brings
// the device back. Ends with a seeded random sweep over hostile rings.
#include <random>

#include "devices/virtio/block.h"
#include "devices/virtio/entropy.h"
#include "virtio_fixture.h"

namespace tandem::test {
namespace {

using vio::Block;

class HostileDriver : public VirtioTest {
 protected:
  // A block read whose data descriptor is (addr, len); header and status well-formed.
  void read_into(uint64_t addr, uint32_t len) {
    const uint32_t header[4] = {Block::kTIn, 0, 0, 0};
    write_bytes(kData, header, sizeof header);
    put_desc(0, 0, kData, 16, vio::kDescFNext, 1);
    put_desc(0, 1, addr, len, vio::kDescFNext | vio::kDescFWrite, 2);
    put_desc(0, 2, kData + 0x800, 1, vio::kDescFWrite);
    make_available(0, 0);
  }
  void expect_needs_reset_then_recovers() {
    EXPECT_TRUE(needs_reset());
    EXPECT_NE(reg(vio::mmio::kInterruptStatus) & vio::kIsrConfigChange, 0u);
    EXPECT_TRUE(m_irq.level_now);
    // The queue does nothing more until the driver resets the device.
    const uint16_t used_before = used_idx(0);
    set_reg(vio::mmio::kQueueNotify, 0);
    EXPECT_EQ(used_idx(0), used_before);
    set_reg(vio::mmio::kStatus, 0);
    EXPECT_EQ(reg(vio::mmio::kStatus), 0u);
    EXPECT_EQ(reg(vio::mmio::kInterruptStatus), 0u);
    EXPECT_FALSE(m_irq.level_now);
    write16(queue_driver(0) + 2, 0);
    write16(queue_device(0) + 2, 0);
    ASSERT_TRUE(negotiate(vio::kFVersion1 | vio::kFIndirectDesc));
    setup_queue(0);
    driver_ok();
    read_into(kData + 0x1000, 512);
    EXPECT_FALSE(needs_reset());
    EXPECT_EQ(used_idx(0), 1u);
    EXPECT_EQ(bytes(kData + 0x800, 1)[0], Block::kSOk);
  }

  MemoryDisk m_disk{16};
  Block m_block{m_disk};
};

TEST_F(HostileDriver, DescriptorLoop) {
  start(m_block);
  put_desc(0, 0, kData, 16, vio::kDescFNext, 1);
  put_desc(0, 1, kData + 0x100, 512, vio::kDescFNext | vio::kDescFWrite, 0);  // back to 0
  make_available(0, 0);
  EXPECT_EQ(used_idx(0), 0u);
  expect_needs_reset_then_recovers();
}

TEST_F(HostileDriver, SelfLoopInAnIndirectTable) {
  start(m_block, vio::kFVersion1 | vio::kFIndirectDesc);
  const uint64_t table = kData + 0x2000;
  put_desc_at(table, kData, 16, vio::kDescFNext, 1);
  put_desc_at(table + 16, kData + 0x100, 1, vio::kDescFNext | vio::kDescFWrite, 1);
  put_desc(0, 0, table, 32, vio::kDescFIndirect);
  make_available(0, 0);
  expect_needs_reset_then_recovers();
}

TEST_F(HostileDriver, ChainLongerThanTheQueue) {
  // The table's last entry points past the table: more descriptors than the queue holds.
  start(m_block);
  for (uint16_t i = 0; i < kQueueSize; i++)
    put_desc(0, i, kData, 16, vio::kDescFNext, static_cast<uint16_t>(i + 1));
  make_available(0, 0);
  expect_needs_reset_then_recovers();
}

TEST_F(HostileDriver, IndirectWithoutTheFeatureNestedOrWithNext) {
  const uint64_t table = kData + 0x2000;
  start(m_block);  // INDIRECT_DESC not negotiated
  put_desc_at(table, kData, 16, 0);
  put_desc(0, 0, table, 16, vio::kDescFIndirect);
  make_available(0, 0);
  expect_needs_reset_then_recovers();

  set_reg(vio::mmio::kStatus, 0);
  write16(queue_driver(0) + 2, 0);
  write16(queue_device(0) + 2, 0);
  ASSERT_TRUE(negotiate(vio::kFVersion1 | vio::kFIndirectDesc));
  setup_queue(0);
  driver_ok();
  put_desc_at(table, table, 16, vio::kDescFIndirect);  // an indirect table inside one
  put_desc(0, 0, table, 16, vio::kDescFIndirect);
  make_available(0, 0);
  EXPECT_TRUE(needs_reset());
}

TEST_F(HostileDriver, IndirectTableOfBadLength) {
  start(m_block, vio::kFVersion1 | vio::kFIndirectDesc);
  put_desc(0, 0, kData + 0x2000, 24, vio::kDescFIndirect);  // not a whole descriptor count
  make_available(0, 0);
  expect_needs_reset_then_recovers();
}

TEST_F(HostileDriver, BufferOutsideGuestRam) {
  for (const uint64_t addr : {uint64_t{0}, kMmioHole, kRamBase + kRamSize - 256}) {
    SCOPED_TRACE(addr);
    clear_ram();
    start(m_block);
    m_disk.bytes.assign(m_disk.bytes.size(), 0x5a);
    read_into(addr, 512);
    EXPECT_EQ(used_idx(0), 0u);
    expect_needs_reset_then_recovers();
  }
}

TEST_F(HostileDriver, DescriptorTableOutsideGuestRam) {
  m_transport.plug(m_block);
  ASSERT_TRUE(negotiate(vio::kFVersion1));
  set_reg(vio::mmio::kQueueSel, 0);
  set_reg(vio::mmio::kQueueNum, kQueueSize);
  set_reg(vio::mmio::kQueueDescLow, static_cast<uint32_t>(kMmioHole));
  set_reg(vio::mmio::kQueueDriverLow, static_cast<uint32_t>(queue_driver(0)));
  set_reg(vio::mmio::kQueueDeviceLow, static_cast<uint32_t>(queue_device(0)));
  set_reg(vio::mmio::kQueueReady, 1);
  driver_ok();
  EXPECT_TRUE(needs_reset());
  set_reg(vio::mmio::kQueueSel, 0);
  EXPECT_EQ(reg(vio::mmio::kQueueReady), 0u);
  set_reg(vio::mmio::kQueueNotify, 0);  // nothing to run
  EXPECT_EQ(used_idx(0), 0u);
}

TEST_F(HostileDriver, LengthsThatWrap) {
  start(m_block);
  read_into(~uint64_t{0} - 0x100, 0x1000);  // address + length wraps the address space
  expect_needs_reset_then_recovers();
  // Two descriptors whose lengths add up past 4 GiB.
  set_reg(vio::mmio::kStatus, 0);
  write16(queue_driver(0) + 2, 0);
  write16(queue_device(0) + 2, 0);
  start(m_block);
  put_desc(0, 0, kData, 16, vio::kDescFNext, 1);
  put_desc(0, 1, kData, 0xffff'fff0, vio::kDescFNext | vio::kDescFWrite, 2);
  put_desc(0, 2, kData, 0x100, vio::kDescFWrite);
  make_available(0, 0);
  EXPECT_TRUE(needs_reset());
}

TEST_F(HostileDriver, AvailableIndexJumpsPastTheQueueSize) {
  start(m_block);
  write16(queue_driver(0) + 2, kQueueSize + 1);
  set_reg(vio::mmio::kQueueNotify, 0);
  EXPECT_EQ(used_idx(0), 0u);
  EXPECT_EQ(m_disk.writes, 0);
  expect_needs_reset_then_recovers();
}

TEST_F(HostileDriver, HeadOutsideTheTable) {
  start(m_block);
  make_available(0, kQueueSize);  // the ring names descriptor 16 of 16
  expect_needs_reset_then_recovers();
}

TEST_F(HostileDriver, ReadableAfterWritable) {
  start(m_block);
  put_desc(0, 0, kData + 0x800, 1, vio::kDescFWrite | vio::kDescFNext, 1);
  put_desc(0, 1, kData, 16, 0);
  make_available(0, 0);
  expect_needs_reset_then_recovers();
}

TEST_F(HostileDriver, QueueChangesWhileReadyAreIgnored) {
  start(m_block);
  set_reg(vio::mmio::kQueueSel, 0);
  set_reg(vio::mmio::kQueueNum, 2);
  set_reg(vio::mmio::kQueueDescLow, static_cast<uint32_t>(kMmioHole));
  set_reg(vio::mmio::kQueueDeviceLow, 0);
  read_into(kData + 0x1000, 512);  // still runs on the rings it was started with
  EXPECT_FALSE(needs_reset());
  EXPECT_EQ(used_idx(0), 1u);
  EXPECT_EQ(bytes(kData + 0x800, 1)[0], Block::kSOk);
}

TEST_F(HostileDriver, QueueDisabledWhileBuffersWaitThenResetMidRequest) {
  start(m_block);
  const uint32_t header[4] = {Block::kTOut, 0, 0, 0};
  write_bytes(kData, header, sizeof header);
  put_desc(0, 0, kData, 16, vio::kDescFNext, 1);
  put_desc(0, 1, kData + 0x1000, 512, vio::kDescFNext, 2);
  put_desc(0, 2, kData + 0x800, 1, vio::kDescFWrite);
  make_available(0, 0, false);  // available, not yet notified
  set_reg(vio::mmio::kQueueSel, 0);
  set_reg(vio::mmio::kQueueReady, 0);  // the driver takes the queue away
  set_reg(vio::mmio::kQueueNotify, 0);
  EXPECT_EQ(m_disk.writes, 0);
  set_reg(vio::mmio::kStatus, 0);  // and resets the device with the request outstanding
  set_reg(vio::mmio::kQueueNotify, 0);
  EXPECT_EQ(m_disk.writes, 0);
  EXPECT_EQ(used_idx(0), 0u);
  // A fresh start sees rings from index 0 again.
  write16(queue_driver(0) + 2, 0);
  start(m_block);
  make_available(0, 0);
  EXPECT_EQ(m_disk.writes, 1);
  EXPECT_EQ(used_idx(0), 1u);
}

TEST_F(HostileDriver, OversizedOrMisalignedQueuesAreRefused) {
  m_transport.plug(m_block);
  ASSERT_TRUE(negotiate(vio::kFVersion1));
  set_reg(vio::mmio::kQueueSel, 0);
  set_reg(vio::mmio::kQueueNum, 1024);  // above QueueNumMax
  set_reg(vio::mmio::kQueueDescLow, static_cast<uint32_t>(queue_desc(0)));
  set_reg(vio::mmio::kQueueDriverLow, static_cast<uint32_t>(queue_driver(0)));
  set_reg(vio::mmio::kQueueDeviceLow, static_cast<uint32_t>(queue_device(0)));
  set_reg(vio::mmio::kQueueReady, 1);
  driver_ok();
  EXPECT_TRUE(needs_reset());
  set_reg(vio::mmio::kStatus, 0);
  ASSERT_TRUE(negotiate(vio::kFVersion1));
  setup_queue(0);
  set_reg(vio::mmio::kQueueReady, 0);
  set_reg(vio::mmio::kQueueDeviceLow, static_cast<uint32_t>(queue_device(0) + 2));  // not 4-aligned
  set_reg(vio::mmio::kQueueReady, 1);
  driver_ok();
  EXPECT_TRUE(needs_reset());
}

// Random rings, descriptors and buffers (fixed seed): every notify ends in a used buffer, a
// failed request or NEEDS_RESET, never out of guest RAM (ASan) or a hang.
TEST_F(HostileDriver, RandomRingsNeverEscape) {
  std::mt19937_64 rng(14);
  CountingEntropy source;
  vio::Entropy entropy(source);
  unsigned needs_reset_count = 0;
  for (int round = 0; round < 300; round++) {
    clear_ram();
    vio::VirtioDevice& device = round % 2 == 0 ? static_cast<vio::VirtioDevice&>(m_block)
                                               : static_cast<vio::VirtioDevice&>(entropy);
    start(device, vio::kFVersion1 | vio::kFIndirectDesc | vio::kFEventIdx);
    const auto pick_addr = [&] {
      switch (rng() % 4) {
        case 0: return kData + rng() % 0x10000;
        case 1: return queue_desc(0) + (rng() % kQueueSize) * 16;  // the table itself
        case 2: return kRamBase + kRamSize - rng() % 0x2000;       // the end of RAM
        default: return rng();
      }
    };
    for (uint16_t i = 0; i < kQueueSize; i++) {
      const uint16_t flags = static_cast<uint16_t>(rng() % 8);
      const uint32_t len = rng() % 3 == 0 ? static_cast<uint32_t>(rng()) : rng() % 2048;
      put_desc(0, i, pick_addr(), flags & vio::kDescFIndirect ? (rng() % 8) * 16 : len, flags,
               static_cast<uint16_t>(rng() % (kQueueSize + 2)));
    }
    for (int i = 0; i < 8; i++) {
      const uint32_t word = static_cast<uint32_t>(rng());
      write_bytes(kData + 4 * (rng() % 64), &word, 4);
    }
    for (int n = 0; n < 4 && !needs_reset(); n++)
      make_available(0, static_cast<uint16_t>(rng() % (kQueueSize + 1)));
    needs_reset_count += needs_reset();
  }
  // Both outcomes happen: broken rings, and rings whose requests ran (buffers may then
  // overwrite the rings themselves, which the driver asked for).
  EXPECT_GT(needs_reset_count, 0u);
  EXPECT_LT(needs_reset_count, 300u);
}

}  // namespace
}  // namespace tandem::test

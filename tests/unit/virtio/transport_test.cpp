// SPDX-License-Identifier: Apache-2.0
// The virtio-mmio transport's registers and driver handshake (virtio 1.2 4.2.2, 4.2.3, 3.1.1,
// 2.1), split-virtqueue bookkeeping and EVENT_IDX (2.7.7, 2.7.10), through a real device.
#include "devices/virtio/entropy.h"
#include "virtio_fixture.h"

namespace tandem::test {
namespace {

TEST_F(VirtioTest, IdentifiesAsVersion2WithItsDevice) {
  CountingEntropy source;
  vio::Entropy rng(source);
  EXPECT_EQ(reg(vio::mmio::kMagicValue), 0x74726976u);  // "virt" even with no device
  EXPECT_EQ(reg(vio::mmio::kVersion), 2u);
  EXPECT_EQ(reg(vio::mmio::kDeviceId), 0u);  // 4.2.3.1.1: an empty transport
  m_transport.plug(rng);
  EXPECT_EQ(reg(vio::mmio::kDeviceId), 4u);
  EXPECT_EQ(reg(vio::mmio::kVendorId), vio::MmioTransport::kVendor);
  EXPECT_EQ(reg(vio::mmio::kShmLenLow), 0xffff'ffffu);  // no shared memory regions
  EXPECT_EQ(reg(vio::mmio::kConfigGeneration), 0u);
  // Registers take 32-bit accesses only.
  EXPECT_EQ(m_transport.read(vio::mmio::kMagicValue, 1), 0u);
  EXPECT_EQ(m_transport.read(vio::mmio::kMagicValue, 2), 0u);
}

TEST_F(VirtioTest, OffersTransportFeaturesInTwoWords) {
  CountingEntropy source;
  vio::Entropy rng(source);
  m_transport.plug(rng);
  set_reg(vio::mmio::kDeviceFeaturesSel, 0);
  EXPECT_EQ(reg(vio::mmio::kDeviceFeatures), (1u << 28) | (1u << 29));  // INDIRECT_DESC, EVENT_IDX
  set_reg(vio::mmio::kDeviceFeaturesSel, 1);
  EXPECT_EQ(reg(vio::mmio::kDeviceFeatures), 1u);  // VERSION_1
  set_reg(vio::mmio::kDeviceFeaturesSel, 2);
  EXPECT_EQ(reg(vio::mmio::kDeviceFeatures), 0u);
}

TEST_F(VirtioTest, FeaturesOkOnlyForOfferedFeaturesWithVersion1) {
  CountingEntropy source;
  vio::Entropy rng(source);
  m_transport.plug(rng);
  EXPECT_FALSE(negotiate(0));                            // a legacy driver
  EXPECT_FALSE(negotiate(vio::kFVersion1 | (1u << 5)));  // bit 5 was not offered
  EXPECT_TRUE(negotiate(vio::kFVersion1 | vio::kFEventIdx));
  // Features are fixed once FEATURES_OK is set: a later write is ignored.
  set_reg(vio::mmio::kDriverFeaturesSel, 0);
  set_reg(vio::mmio::kDriverFeatures, 1u << 5);
  driver_ok();
  EXPECT_EQ(reg(vio::mmio::kStatus) & vio::kStatusDriverOk, vio::kStatusDriverOk);
  EXPECT_FALSE(needs_reset());
}

TEST_F(VirtioTest, DriverOkWithoutFeaturesOkNeedsReset) {
  CountingEntropy source;
  vio::Entropy rng(source);
  m_transport.plug(rng);
  set_reg(vio::mmio::kStatus, vio::kStatusAcknowledge | vio::kStatusDriver | vio::kStatusDriverOk);
  EXPECT_TRUE(needs_reset());
}

TEST_F(VirtioTest, StatusBitsAreNeverClearedExceptByReset) {
  CountingEntropy source;
  vio::Entropy rng(source);
  start(rng);
  const uint32_t status = reg(vio::mmio::kStatus);
  set_reg(vio::mmio::kStatus,
          vio::kStatusAcknowledge);  // would clear DRIVER, FEATURES_OK, DRIVER_OK
  EXPECT_EQ(reg(vio::mmio::kStatus), status);
  set_reg(vio::mmio::kStatus, 0);
  EXPECT_EQ(reg(vio::mmio::kStatus), 0u);
  set_reg(vio::mmio::kQueueSel, 0);
  EXPECT_EQ(reg(vio::mmio::kQueueReady), 0u);  // reset forgets the queues
}

TEST_F(VirtioTest, QueueRegistersPerQueue) {
  CountingEntropy source;
  vio::Entropy rng(source);
  m_transport.plug(rng);
  set_reg(vio::mmio::kQueueSel, 0);
  EXPECT_EQ(reg(vio::mmio::kQueueNumMax), vio::Virtqueue::kMaxSize);
  set_reg(vio::mmio::kQueueSel, 1);  // the entropy device has one queue
  EXPECT_EQ(reg(vio::mmio::kQueueNumMax), 0u);
  set_reg(vio::mmio::kQueueReady, 1);
  EXPECT_EQ(reg(vio::mmio::kQueueReady), 0u);
}

TEST_F(VirtioTest, UsedBufferRaisesTheInterruptUntilAcknowledged) {
  CountingEntropy source;
  vio::Entropy rng(source);
  start(rng);
  put_desc(0, 0, kData, 8, vio::kDescFWrite);
  make_available(0, 0);
  EXPECT_EQ(used_idx(0), 1u);
  EXPECT_EQ(reg(vio::mmio::kInterruptStatus), vio::kIsrUsedBuffer);
  EXPECT_TRUE(m_irq.level_now);
  EXPECT_EQ(m_irq.last_irq, 7u);
  set_reg(vio::mmio::kInterruptAck, vio::kIsrUsedBuffer);
  EXPECT_EQ(reg(vio::mmio::kInterruptStatus), 0u);
  EXPECT_FALSE(m_irq.level_now);
}

TEST_F(VirtioTest, NoInterruptFlagSuppressesInterruptsWithoutEventIdx) {
  CountingEntropy source;
  vio::Entropy rng(source);
  start(rng);
  write16(queue_driver(0), vio::kAvailFNoInterrupt);
  put_desc(0, 0, kData, 8, vio::kDescFWrite);
  make_available(0, 0);
  EXPECT_EQ(used_idx(0), 1u);
  EXPECT_EQ(reg(vio::mmio::kInterruptStatus), 0u);
}

TEST_F(VirtioTest, EventIdxInterruptsOnlyPastUsedEventAndPublishesAvailEvent) {
  CountingEntropy source;
  vio::Entropy rng(source);
  start(rng, vio::kFVersion1 | vio::kFEventIdx);
  const uint64_t used_event = queue_driver(0) + 4 + 2 * kQueueSize;
  const uint64_t avail_event = queue_device(0) + 4 + 8 * kQueueSize;
  for (uint16_t i = 0; i < 4; i++) put_desc(0, i, kData + 64 * i, 8, vio::kDescFWrite);
  write16(used_event, 2);  // interrupt when the used index passes 2 (the third buffer)
  make_available(0, 0);
  EXPECT_EQ(read16(avail_event), 1u);
  // The first used buffer has no earlier decision to compare with: it interrupts (as QEMU's
  // virtio_should_notify does; 2.7.10 allows an interrupt the driver did not ask for).
  EXPECT_EQ(reg(vio::mmio::kInterruptStatus), vio::kIsrUsedBuffer);
  set_reg(vio::mmio::kInterruptAck, vio::kIsrUsedBuffer);
  make_available(0, 1);
  EXPECT_EQ(reg(vio::mmio::kInterruptStatus), 0u);
  make_available(0, 2);
  EXPECT_EQ(used_idx(0), 3u);
  EXPECT_EQ(read16(avail_event), 3u);
  EXPECT_EQ(reg(vio::mmio::kInterruptStatus), vio::kIsrUsedBuffer);
  set_reg(vio::mmio::kInterruptAck, vio::kIsrUsedBuffer);
  make_available(0, 3);  // used_event 2 is behind: no interrupt
  EXPECT_EQ(reg(vio::mmio::kInterruptStatus), 0u);
}

TEST_F(VirtioTest, IndirectTableCarriesTheChain) {
  CountingEntropy source;
  vio::Entropy rng(source);
  start(rng, vio::kFVersion1 | vio::kFIndirectDesc);
  const uint64_t table = kData + 0x1000;
  put_desc_at(table, kData, 3, vio::kDescFWrite | vio::kDescFNext, 1);
  put_desc_at(table + 16, kData + 0x100, 5, vio::kDescFWrite);
  put_desc(0, 0, table, 32, vio::kDescFIndirect);
  make_available(0, 0);
  ASSERT_EQ(used_idx(0), 1u);
  EXPECT_EQ(used(0, 0), (std::pair<uint32_t, uint32_t>{0, 8}));
  EXPECT_EQ(bytes(kData, 3), (std::vector<uint8_t>{1, 2, 3}));
  EXPECT_EQ(bytes(kData + 0x100, 5), (std::vector<uint8_t>{4, 5, 6, 7, 8}));
}

TEST_F(VirtioTest, QueueReadyBeforeDriverOkStartsWithTheDevice) {
  CountingEntropy source;
  vio::Entropy rng(source);
  m_transport.plug(rng);
  ASSERT_TRUE(negotiate(vio::kFVersion1));
  setup_queue(0);
  put_desc(0, 0, kData, 4, vio::kDescFWrite);
  make_available(0, 0);  // before DRIVER_OK: the notify does nothing
  EXPECT_EQ(used_idx(0), 0u);
  driver_ok();
  set_reg(vio::mmio::kQueueNotify, 0);
  EXPECT_EQ(used_idx(0), 1u);
}

}  // namespace
}  // namespace tandem::test

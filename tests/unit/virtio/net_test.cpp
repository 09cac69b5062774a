// SPDX-License-Identifier: Apache-2.0
// virtio-net (virtio 1.2 5.1): the MAC in the configuration space, frames out of the transmit
// queue without their header, frames into receive buffers behind a header, frames that wait
// for buffers, and drivers that give buffers the device cannot use (oversize, runt, too small,
// device-readable, outside guest RAM).
#include <deque>

#include "devices/virtio/net.h"
#include "virtio_fixture.h"

namespace tandem::test {
namespace {

using vio::Net;

constexpr unsigned kRx = Net::kReceiveQueue;
constexpr unsigned kTx = Net::kTransmitQueue;
constexpr uint8_t kMac[6] = {0x52, 0x54, 0x00, 0xab, 0xcd, 0xef};

// Records what the guest sends; hands the guest the frames a test queues.
class FakeNetwork final : public vio::NetBackend {
 public:
  void send(std::span<const uint8_t> frame) override {
    sent.emplace_back(frame.begin(), frame.end());
  }
  size_t receive(std::span<uint8_t> out) override {
    if (incoming.empty()) return 0;
    const std::vector<uint8_t> f = incoming.front();
    incoming.pop_front();
    std::copy(f.begin(), f.end(), out.begin());
    return f.size();
  }
  std::vector<std::vector<uint8_t>> sent;
  std::deque<std::vector<uint8_t>> incoming;
};

std::vector<uint8_t> frame_of(size_t size, uint8_t seed) {
  std::vector<uint8_t> f(size);
  for (size_t i = 0; i < size; i++) f[i] = static_cast<uint8_t>(seed + i);
  return f;
}

class NetTest : public VirtioTest {
 protected:
  // A transmit buffer: a 12-byte header (not all zero: the device ignores it) then `frame`,
  // split over two descriptors, as descriptor `head` and head + 1.
  void transmit(uint16_t head, const std::vector<uint8_t>& frame) {
    const uint64_t at = kData + 0x10000 + 0x1000ull * head;
    const uint8_t header[Net::kHeaderSize] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7, 7};
    write_bytes(at, header, sizeof header);
    write_bytes(at + 0x100, frame.data(), frame.size());
    put_desc(kTx, head, at, Net::kHeaderSize, vio::kDescFNext, static_cast<uint16_t>(head + 1));
    put_desc(kTx, static_cast<uint16_t>(head + 1), at + 0x100, static_cast<uint32_t>(frame.size()),
             0);
    make_available(kTx, head);
  }
  // A receive buffer of `size` device-writable bytes at kData + 0x4000 * slot.
  void give_rx_buffer(uint16_t slot, uint32_t size, bool notify = true) {
    put_desc(kRx, slot, kData + 0x4000ull * slot, size, vio::kDescFWrite);
    make_available(kRx, slot, notify);
  }

  FakeNetwork m_net;
  Net m_dev{m_net, kMac};
};

TEST_F(NetTest, OffersTheMacInItsConfigurationSpace) {
  start(m_dev);
  EXPECT_EQ(reg(vio::mmio::kDeviceId), 1u);
  set_reg(vio::mmio::kDeviceFeaturesSel, 0);
  // VIRTIO_NET_F_MAC and the transport's INDIRECT_DESC and EVENT_IDX: no offloads.
  EXPECT_EQ(reg(vio::mmio::kDeviceFeatures), (1u << 5) | (1u << 28) | (1u << 29));
  for (unsigned i = 0; i < 6; i++)
    EXPECT_EQ(m_transport.read(vio::mmio::kConfig + i, 1), kMac[i]) << i;
  EXPECT_EQ(m_transport.read(vio::mmio::kConfig, 4), 0xab005452u);
  EXPECT_EQ(m_transport.read(vio::mmio::kConfig + 6, 2), 0u);  // status: not offered
}

TEST_F(NetTest, TransmitsTheFrameWithoutTheHeader) {
  start(m_dev);
  const auto frame = frame_of(60, 0x30);
  transmit(0, frame);
  ASSERT_EQ(m_net.sent.size(), 1u);
  EXPECT_EQ(m_net.sent[0], frame);
  ASSERT_EQ(used_idx(kTx), 1u);
  EXPECT_EQ(used(kTx, 0), (std::pair<uint32_t, uint32_t>{0, 0}));
  EXPECT_EQ(reg(vio::mmio::kInterruptStatus), vio::kIsrUsedBuffer);
}

TEST_F(NetTest, DropsOversizeAndRuntTransmitsAndGoesOn) {
  start(m_dev);
  transmit(0, frame_of(Net::kMaxFrame + 1, 1));        // longer than any Ethernet frame
  transmit(2, frame_of(Net::kEthernetHeader - 1, 2));  // no room for an Ethernet header
  EXPECT_TRUE(m_net.sent.empty());
  EXPECT_EQ(m_dev.tx_dropped(), 2u);
  EXPECT_EQ(used_idx(kTx), 2u);
  const auto biggest = frame_of(Net::kMaxFrame, 3);
  transmit(4, biggest);
  ASSERT_EQ(m_net.sent.size(), 1u);
  EXPECT_EQ(m_net.sent[0], biggest);
  EXPECT_FALSE(needs_reset());
}

TEST_F(NetTest, ReceivesIntoABufferBehindAHeader) {
  start(m_dev);
  const auto frame = frame_of(98, 0x40);
  m_net.incoming.push_back(frame);
  give_rx_buffer(0, 1526);
  ASSERT_EQ(used_idx(kRx), 1u);
  EXPECT_EQ(used(kRx, 0), (std::pair<uint32_t, uint32_t>{0, Net::kHeaderSize + 98}));
  // 5.1.6: no offloads, so flags, gso_type and the rest are 0; num_buffers (le16 at 10) is 1.
  EXPECT_EQ(bytes(kData, Net::kHeaderSize),
            (std::vector<uint8_t>{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0}));
  EXPECT_EQ(bytes(kData + Net::kHeaderSize, 98), frame);
  EXPECT_EQ(reg(vio::mmio::kInterruptStatus), vio::kIsrUsedBuffer);
}

TEST_F(NetTest, AFrameWaitsForABufferAndTheHostPollDeliversIt) {
  start(m_dev);
  give_rx_buffer(0, 1526);
  EXPECT_EQ(used_idx(kRx), 0u);  // nothing to receive yet
  set_reg(vio::mmio::kInterruptAck, 1);
  const auto first = frame_of(60, 1);
  const auto second = frame_of(70, 2);
  m_net.incoming.push_back(first);
  m_net.incoming.push_back(second);
  m_transport.poll_host();  // the VM loop between vCPU slices
  ASSERT_EQ(used_idx(kRx), 1u);
  EXPECT_EQ(bytes(kData + Net::kHeaderSize, 60), first);
  EXPECT_TRUE(m_irq.level_now);
  m_transport.poll_host();  // the second frame waits: no buffer
  EXPECT_EQ(used_idx(kRx), 1u);
  give_rx_buffer(1, 1526);  // the driver's notify delivers it
  ASSERT_EQ(used_idx(kRx), 2u);
  EXPECT_EQ(used(kRx, 1).second, Net::kHeaderSize + 70);
  EXPECT_EQ(bytes(kData + 0x4000 + Net::kHeaderSize, 70), second);
}

TEST_F(NetTest, ABufferTooSmallOrDeviceReadableDropsTheFrame) {
  start(m_dev);
  m_net.incoming.push_back(frame_of(200, 1));
  m_net.incoming.push_back(frame_of(60, 2));
  m_net.incoming.push_back(frame_of(60, 3));
  give_rx_buffer(0, Net::kHeaderSize + 199);  // one byte short
  ASSERT_EQ(used_idx(kRx), 1u);
  EXPECT_EQ(used(kRx, 0).second, 0u);
  put_desc(kRx, 1, kData + 0x4000, 1526, 0);  // device-readable
  make_available(kRx, 1);
  ASSERT_EQ(used_idx(kRx), 2u);
  EXPECT_EQ(used(kRx, 1).second, 0u);
  EXPECT_EQ(m_dev.rx_dropped(), 2u);
  give_rx_buffer(2, 1526);
  ASSERT_EQ(used_idx(kRx), 3u);
  EXPECT_EQ(bytes(kData + 0x8000 + Net::kHeaderSize, 60), frame_of(60, 3));
  EXPECT_FALSE(needs_reset());
}

TEST_F(NetTest, BuffersOutsideGuestRamNeedAResetAndAResetDropsTheWaitingFrame) {
  start(m_dev);
  m_net.incoming.push_back(frame_of(60, 1));
  put_desc(kRx, 0, kMmioHole, 1526, vio::kDescFWrite);  // not RAM
  make_available(kRx, 0);
  EXPECT_TRUE(needs_reset());
  EXPECT_EQ(used_idx(kRx), 0u);
  // A transmit chain that loops, on a fresh start.
  set_reg(vio::mmio::kStatus, 0);
  clear_ram();
  start(m_dev);
  put_desc(kTx, 0, kData, Net::kHeaderSize, vio::kDescFNext, 1);
  put_desc(kTx, 1, kData + 0x100, 60, vio::kDescFNext, 0);
  make_available(kTx, 0);
  EXPECT_TRUE(needs_reset());
  EXPECT_TRUE(m_net.sent.empty());
  set_reg(vio::mmio::kStatus, 0);
  clear_ram();
  start(m_dev);
  give_rx_buffer(0, 1526);
  EXPECT_EQ(used_idx(kRx), 0u);  // the frame taken before the reset is gone
  m_net.incoming.push_back(frame_of(64, 9));
  m_transport.poll_host();
  ASSERT_EQ(used_idx(kRx), 1u);
  EXPECT_EQ(bytes(kData + Net::kHeaderSize, 64), frame_of(64, 9));
}

}  // namespace
}  // namespace tandem::test

// SPDX-License-Identifier: Apache-2.0
// virtio-rng (virtio 1.2 5.4) and virtio-console's transmit queue (5.3.6).
#include "devices/virtio/console.h"
#include "devices/virtio/entropy.h"
#include "virtio_fixture.h"

namespace tandem::test {
namespace {

TEST_F(VirtioTest, EntropyFillsEveryWritableByteFromItsSource) {
  CountingEntropy source;
  vio::Entropy rng(source);
  start(rng);
  put_desc(0, 0, kData, 300, vio::kDescFWrite | vio::kDescFNext, 1);  // more than one chunk
  put_desc(0, 1, kData + 0x1000, 4, vio::kDescFWrite);
  make_available(0, 0);
  ASSERT_EQ(used_idx(0), 1u);
  EXPECT_EQ(used(0, 0), (std::pair<uint32_t, uint32_t>{0, 304}));
  const auto first = bytes(kData, 300);
  for (unsigned i = 0; i < 300; i++) ASSERT_EQ(first[i], static_cast<uint8_t>(1 + i)) << i;
  EXPECT_EQ(bytes(kData + 0x1000, 4),
            (std::vector<uint8_t>{static_cast<uint8_t>(301), static_cast<uint8_t>(302),
                                  static_cast<uint8_t>(303), static_cast<uint8_t>(304)}));
}

TEST_F(VirtioTest, EntropyReturnsReadableBuffersAndSourceFailuresEmpty) {
  CountingEntropy source;
  vio::Entropy rng(source);
  start(rng);
  put_desc(0, 0, kData, 8, 0);  // device-readable: nothing to fill
  make_available(0, 0);
  EXPECT_EQ(used(0, 0).second, 0u);
  source.fail = true;
  put_desc(0, 1, kData, 8, vio::kDescFWrite);
  make_available(0, 1);
  EXPECT_EQ(used_idx(0), 2u);
  EXPECT_EQ(used(0, 1), (std::pair<uint32_t, uint32_t>{1, 0}));
  EXPECT_FALSE(needs_reset());
}

TEST_F(VirtioTest, ConsoleTransmitsReadableBytesInOrder) {
  StringSink out;
  vio::Console console(out);
  start(console);
  EXPECT_EQ(reg(vio::mmio::kDeviceId), 3u);
  const std::string text(600, 'x');
  write_bytes(kData, "hello, ", 7);
  write_bytes(kData + 0x1000, text.data(), text.size());
  put_desc(1, 0, kData, 7, vio::kDescFNext, 1);
  put_desc(1, 1, kData + 0x1000, static_cast<uint32_t>(text.size()), 0);
  set_reg(vio::mmio::kQueueSel, 1);
  const uint16_t idx = read16(queue_driver(1) + 2);
  write16(queue_driver(1) + 4 + 2 * (idx % kQueueSize), 0);
  write16(queue_driver(1) + 2, static_cast<uint16_t>(idx + 1));
  set_reg(vio::mmio::kQueueNotify, 1);
  EXPECT_EQ(out.out, "hello, " + text);
  EXPECT_EQ(used_idx(1), 1u);
}

TEST_F(VirtioTest, ConsoleReceivesHostInputIntoTheDriversBuffers) {
  StringSink out;
  vio::Console console(out);
  start(console);
  // Input before the driver has a buffer waits in the device.
  for (char c : std::string("abc")) console.push_rx(static_cast<uint8_t>(c));
  put_desc(0, 0, kData, 2, vio::kDescFWrite);
  put_desc(0, 1, kData + 0x100, 8, vio::kDescFWrite);
  set_reg(vio::mmio::kQueueNotify, 0);  // nothing available yet
  EXPECT_EQ(used_idx(0), 0u);
  make_available(0, 0);  // a 2-byte buffer takes "ab"
  ASSERT_EQ(used_idx(0), 1u);
  EXPECT_EQ(used(0, 0), (std::pair<uint32_t, uint32_t>{0, 2}));
  EXPECT_EQ(bytes(kData, 2), (std::vector<uint8_t>{'a', 'b'}));
  make_available(0, 1);  // the next takes what is left
  ASSERT_EQ(used_idx(0), 2u);
  EXPECT_EQ(used(0, 1), (std::pair<uint32_t, uint32_t>{1, 1}));
  EXPECT_EQ(bytes(kData + 0x100, 1)[0], 'c');
  // An idle buffer waits for input, which the transport then delivers with an interrupt.
  set_reg(vio::mmio::kInterruptAck, 3);
  put_desc(0, 2, kData + 0x200, 8, vio::kDescFWrite);
  make_available(0, 2);
  EXPECT_EQ(used_idx(0), 2u);
  console.push_rx('z');
  m_transport.notify(vio::Console::kReceiveQueue);
  ASSERT_EQ(used_idx(0), 3u);
  EXPECT_EQ(bytes(kData + 0x200, 1)[0], 'z');
  EXPECT_EQ(reg(vio::mmio::kInterruptStatus), vio::kIsrUsedBuffer);
  // Input beyond the device's buffer is refused until the driver takes some.
  for (unsigned i = 0; i < vio::Console::kInputBytes; i++) console.push_rx('x');
  EXPECT_FALSE(console.can_receive());
}

}  // namespace
}  // namespace tandem::test

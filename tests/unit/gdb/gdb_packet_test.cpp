// SPDX-License-Identifier: Apache-2.0
// The GDB remote protocol's framing (backends/hosted/gdb/gdb_packet.h) against what a client
// sends, and against what no client sends: every bad input is an error event, never a crash.
#include "backends/hosted/gdb/gdb_packet.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace tandem::gdb {
namespace {

using Event = PacketReader::Event;

std::vector<Event> feed(PacketReader& r, const std::string& bytes) {
  std::vector<Event> events;
  for (char c : bytes) {
    const Event e = r.feed(static_cast<uint8_t>(c));
    if (e != Event::kNone) events.push_back(e);
  }
  return events;
}

TEST(GdbPacket, FramesAndChecksums) {
  // "qSupported" sums to 0x37 modulo 256 (GDB manual: two hex digits of the modulo-256 sum).
  EXPECT_EQ(frame("qSupported"), "$qSupported#37");
  EXPECT_EQ(frame(""), "$#00");
  EXPECT_EQ(frame("OK"), "$OK#9a");
}

TEST(GdbPacket, ReadsPacketsAcksAndInterrupts) {
  PacketReader r;
  EXPECT_EQ(feed(r, "+$g#67"), (std::vector{Event::kAck, Event::kPacket}));
  EXPECT_EQ(r.packet(), "g");
  EXPECT_EQ(feed(r, "-"), std::vector{Event::kNack});
  EXPECT_EQ(feed(r, std::string(1, '\x03')), std::vector{Event::kInterrupt});
  // Upper-case checksum digits are accepted; noise between packets is skipped.
  EXPECT_EQ(feed(r, "xyz$OK#9A"), std::vector{Event::kPacket});
  EXPECT_EQ(r.packet(), "OK");
  // A packet split across reads.
  EXPECT_EQ(feed(r, "$m4020"), std::vector<Event>{});
  EXPECT_EQ(feed(r, "1000,4#"), std::vector<Event>{});
  EXPECT_EQ(feed(r, "54"), std::vector{Event::kPacket});
  EXPECT_EQ(r.packet(), "m40201000,4");
}

TEST(GdbPacket, BadChecksumIsAnError) {
  PacketReader r;
  EXPECT_EQ(feed(r, "$g#68"), std::vector{Event::kError});
  EXPECT_STREQ(r.error(), "a bad checksum");
  PacketReader r2;
  EXPECT_EQ(feed(r2, "$g#6z"), std::vector{Event::kError});
  EXPECT_STREQ(r2.error(), "a checksum that is not two hex digits");
}

TEST(GdbPacket, DollarInsideAPacketIsAnError) {
  PacketReader r;
  EXPECT_EQ(feed(r, "$qSup$g#67"), std::vector{Event::kError});
}

TEST(GdbPacket, OverlongPacketIsAnErrorAtTheLimit) {
  PacketReader r;
  std::string big = "$" + std::string(kMaxPacket, 'a');
  EXPECT_EQ(feed(r, big), std::vector<Event>{});  // exactly the limit: still reading
  EXPECT_EQ(feed(r, "a"), std::vector{Event::kError});
  EXPECT_STREQ(r.error(), "a packet longer than the advertised PacketSize");
  // The reader starts over after an error.
  EXPECT_EQ(feed(r, "$g#67"), std::vector{Event::kPacket});
}

}  // namespace
}  // namespace tandem::gdb

// SPDX-License-Identifier: Apache-2.0
// The GDB stub's commands (backends/hosted/gdb/gdb_session.h) on a fake target: registers in
// target-description order, memory through the target's translation, threads as vCPUs,
// break- and watchpoints, resumes; malformed and hostile packets get error replies.
#include "backends/hosted/gdb/gdb_session.h"

#include <gtest/gtest.h>

#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "backends/hosted/gdb/gdb_packet.h"
#include "backends/hosted/gdb/gdb_text.h"

namespace tandem::gdb {
namespace {

// Two vCPUs; register i of vCPU c holds bytes (c * 16 + i) repeated; virtual addresses map to
// physical + 0x1000 for vCPU 0 and are unmapped from 0x9000 up; RAM is 0x1000..0x9000.
class FakeTarget final : public Target {
 public:
  unsigned cpu_count() const override { return 2; }
  bool read_register(unsigned cpu, unsigned index, std::span<uint8_t> out) override {
    if (index == 5) return false;  // one unavailable register
    std::memset(out.data(), static_cast<int>(cpu * 16 + index), out.size());
    return true;
  }
  bool write_register(unsigned cpu, unsigned index, std::span<const uint8_t> in) override {
    writes[{cpu, index}] = std::vector<uint8_t>(in.begin(), in.end());
    return true;
  }
  std::optional<uint64_t> translate(unsigned cpu, uint64_t va) override {
    if (va >= 0x8000) return std::nullopt;
    return va + (cpu == 0 ? 0x1000 : 0);
  }
  bool read_physical(uint64_t pa, std::span<uint8_t> out) override {
    if (pa < 0x1000 || pa + out.size() > 0x9000) return false;
    for (size_t i = 0; i < out.size(); ++i) out[i] = ram[pa - 0x1000 + i];
    return true;
  }
  bool write_physical(uint64_t pa, std::span<const uint8_t> in) override {
    if (pa < 0x1000 || pa + in.size() > 0x9000) return false;
    for (size_t i = 0; i < in.size(); ++i) ram[pa - 0x1000 + i] = in[i];
    return true;
  }
  bool insert_break(BreakKind kind, uint64_t addr, uint64_t len) override {
    breaks.push_back({kind, addr, len});
    return true;
  }
  bool remove_break(BreakKind, uint64_t, uint64_t) override { return !breaks.empty(); }
  void remove_all_breaks() override { breaks.clear(); }

  struct B {
    BreakKind kind;
    uint64_t addr, len;
  };
  std::vector<B> breaks;
  std::map<std::pair<unsigned, unsigned>, std::vector<uint8_t>> writes;
  std::vector<uint8_t> ram = std::vector<uint8_t>(0x8000, 0);
};

struct SessionTest : ::testing::Test {
  FakeTarget target;
  Session session{target, describe(Arch::kAarch64)};
  std::string reply(std::string_view packet) {
    auto out = session.handle(packet);
    return out.replies.empty() ? "<none>" : out.replies.back();
  }
};

TEST_F(SessionTest, RegistersFollowTheTargetDescription) {
  const ArchDescription& d = describe(Arch::kAarch64);
  // x0..x30, sp, pc, cpsr (32 bits), v0..v31 (128), fpsr, fpcr, then the system registers.
  ASSERT_EQ(d.registers[32].name, "pc");
  EXPECT_EQ(d.registers[33].bits, 32u);
  EXPECT_EQ(d.registers[34].name, "v0");
  EXPECT_EQ(d.registers[34].bits, 128u);
  // p packets take the index in hex: 0x20 is pc, 0x21 cpsr.
  EXPECT_EQ(reply("p20"), "2020202020202020");
  EXPECT_EQ(reply("p21"), "21212121");
  EXPECT_EQ(reply("p5"), "xxxxxxxxxxxxxxxx");  // unavailable
  const std::string g = reply("g");
  EXPECT_EQ(g.substr(0, 16), "0000000000000000");
  EXPECT_EQ(g.substr(16, 16), "0101010101010101");
  EXPECT_EQ(g.substr(5 * 16, 16), "xxxxxxxxxxxxxxxx");
  // Hg2 selects vCPU 1: its registers.
  EXPECT_EQ(reply("Hg2"), "OK");
  EXPECT_EQ(reply("p0"), "1010101010101010");
  EXPECT_EQ(reply("P1f=0102030405060708"), "OK");
  EXPECT_EQ(target.writes[std::pair(1u, 31u)], (std::vector<uint8_t>{1, 2, 3, 4, 5, 6, 7, 8}));
  // Wrong width, index out of range, junk.
  EXPECT_EQ(reply("P1f=0102"), "E01");
  EXPECT_EQ(reply("p999"), "E01");
  EXPECT_EQ(reply("pzz"), "E01");
  EXPECT_EQ(reply("Hg9"), "E01");
}

TEST_F(SessionTest, MemoryGoesThroughTranslation) {
  target.ram[0x2000 - 0x1000] = 0xab;  // physical 0x2000 = virtual 0x1000 on vCPU 0
  target.ram[0x2001 - 0x1000] = 0xcd;
  EXPECT_EQ(reply("m1000,2"), "abcd");
  EXPECT_EQ(reply("M1002,3:010203"), "OK");
  EXPECT_EQ(target.ram[0x2002 - 0x1000], 1);
  EXPECT_EQ(reply("X1005,2:}]x"), "OK");  // `}` escapes the next byte (xor 0x20)
  EXPECT_EQ(target.ram[0x2005 - 0x1000], ']' ^ 0x20);
  EXPECT_EQ(target.ram[0x2006 - 0x1000], 'x');
  // A read running into unmapped memory is cut short; one starting there is EFAULT.
  EXPECT_EQ(reply("m7ffe,4").size(), 4u);
  EXPECT_EQ(reply("m9000,4"), "E0e");
  // Huge lengths are cut to one packet, not allocated.
  EXPECT_LE(reply("m1000,ffffffffffffffff").size(), kMaxPacket);
  EXPECT_EQ(reply("m1000,1ffffffffffffffff"), "E01");  // 17 digits: not a number
  // Length and data disagree; malformed.
  EXPECT_EQ(reply("M1000,4:01"), "E01");
  EXPECT_EQ(reply("M1000:01"), "E01");
  EXPECT_EQ(reply("m"), "E01");
  EXPECT_EQ(reply("X1000,1:}"), "E01");
}

TEST_F(SessionTest, BreakAndWatchpoints) {
  EXPECT_EQ(reply("Z0,40201794,4"), "OK");
  EXPECT_EQ(reply("Z2,40202010,4"), "OK");
  EXPECT_EQ(reply("Z1,40201000,4;X1,0"), "OK");  // conditions are GDB's own business
  ASSERT_EQ(target.breaks.size(), 3u);
  EXPECT_EQ(target.breaks[1].kind, BreakKind::kWatchWrite);
  EXPECT_EQ(target.breaks[1].addr, 0x40202010u);
  EXPECT_EQ(reply("Z5,1000,4"), "E01");  // no such type
  EXPECT_EQ(reply("Z2,1000,0"), "E01");  // a watchpoint of nothing
  EXPECT_EQ(reply("Z3,1000,100"), "E01");
  EXPECT_EQ(reply("Z0,1000"), "E01");
}

TEST_F(SessionTest, ResumesAndStopReplies) {
  auto out = session.handle("c");
  EXPECT_TRUE(out.resume);
  EXPECT_EQ(out.how.kind, ResumeKind::kContinue);
  EXPECT_FALSE(out.how.only);
  out = session.handle("vCont;s:2;c");
  EXPECT_EQ(out.how.kind, ResumeKind::kStep);
  EXPECT_EQ(out.how.cpu, 1u);
  out = session.handle("vCont;c:1");
  EXPECT_EQ(out.how.kind, ResumeKind::kContinue);
  EXPECT_TRUE(out.how.only);
  EXPECT_EQ(out.how.cpu, 0u);
  EXPECT_EQ(reply("vCont?"), "vCont;c;C;s;S");
  EXPECT_FALSE(session.handle("vCont;x").resume);
  EXPECT_FALSE(session.handle("vCont;s:9").resume);
  EXPECT_FALSE(session.handle("c1000").resume);  // a resume address is refused
  out = session.handle("D");
  EXPECT_EQ(out.how.kind, ResumeKind::kDetach);
  EXPECT_EQ(out.replies.back(), "OK");
  EXPECT_EQ(session.handle("k").how.kind, ResumeKind::kKill);

  EXPECT_EQ(session.stop_reply({1, StopKind::kWatch, BreakKind::kWatchWrite, 0x40202010}),
            "T05thread:2;watch:40202010;");
  EXPECT_EQ(reply("?"), "T05thread:2;watch:40202010;");
  EXPECT_EQ(reply("qC"), "QC2");  // the stopped vCPU is the current thread
  EXPECT_EQ(session.stop_reply({0, StopKind::kBreakpoint, BreakKind::kHardware, 0}),
            "T05thread:1;hwbreak:;");
  EXPECT_EQ(session.stop_reply({0, StopKind::kInterrupt, BreakKind::kSoftware, 0}), "T02thread:1;");
  EXPECT_EQ(Session::exit_reply(42), "W2a");
}

TEST_F(SessionTest, QueriesAndUnknownPackets) {
  EXPECT_EQ(reply("qSupported:multiprocess+;swbreak+"),
            "PacketSize=4000;qXfer:features:read+;QStartNoAckMode+;swbreak+;hwbreak+;"
            "vContSupported+");
  EXPECT_EQ(reply("qfThreadInfo"), "m1,2");
  EXPECT_EQ(reply("qsThreadInfo"), "l");
  EXPECT_EQ(reply("T2"), "OK");
  EXPECT_EQ(reply("T3"), "E01");
  EXPECT_EQ(reply("qThreadExtraInfo,2"), text_to_hex("vCPU 1"));
  EXPECT_EQ(reply("QStartNoAckMode"), "OK");
  EXPECT_TRUE(session.no_ack());
  // The target description, in pieces.
  const std::string xml = target_xml(describe(Arch::kAarch64));
  EXPECT_EQ(reply("qXfer:features:read:target.xml:0,40"), "m" + xml.substr(0, 0x40));
  EXPECT_EQ(reply("qXfer:features:read:target.xml:40,100000"), "l" + xml.substr(0x40));
  EXPECT_EQ(xml.substr(0, 21), "<?xml version=\"1.0\"?>");
  EXPECT_NE(xml.find("<feature name=\"org.gnu.gdb.aarch64.core\">"), std::string::npos);
  EXPECT_NE(xml.find("<reg name=\"pc\" bitsize=\"64\" type=\"code_ptr\" regnum=\"32\"/>"),
            std::string::npos);
  EXPECT_EQ(reply("qXfer:features:read:target.xml:ffffff,10"), "l");
  EXPECT_EQ(reply("qXfer:features:read:other.xml:0,10"), "E00");
  // Unknown: the empty reply ("not supported"), never an error or a crash.
  EXPECT_EQ(reply("vMustReplyEmpty"), "");
  EXPECT_EQ(reply("qTStatus"), "");
  EXPECT_EQ(reply("!"), "");
  EXPECT_EQ(reply(""), "");
  EXPECT_EQ(reply(std::string(3000, 'Z')), "E01");
}

TEST_F(SessionTest, MonitorReadsPhysicalMemory) {
  target.ram[0] = 0x11;
  target.ram[1] = 0x22;
  auto out = session.handle("qRcmd," + text_to_hex("phys 0x1000 2"));
  ASSERT_EQ(out.replies.size(), 2u);
  EXPECT_EQ(out.replies[0], "O" + text_to_hex("0000000000001000: 11 22\n"));
  EXPECT_EQ(out.replies[1], "OK");
  out = session.handle("qRcmd," + text_to_hex("v2p 10"));
  EXPECT_EQ(out.replies[0], "O" + text_to_hex("vCPU 0: 0x10 -> physical 0x1010\n"));
  out = session.handle("qRcmd," + text_to_hex("phys 0 4"));
  EXPECT_EQ(out.replies[0], "O" + text_to_hex("not guest RAM\n"));
  EXPECT_EQ(reply("qRcmd,zz"), "E01");
}

}  // namespace
}  // namespace tandem::gdb

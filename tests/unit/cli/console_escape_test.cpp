// SPDX-License-Identifier: Apache-2.0
#include "cli/console_escape.h"

#include <gtest/gtest.h>

#include <string>

namespace tandem::cli {
namespace {

// What a run of input turns into: the bytes for the guest, plus 'Q' / 'H' / 'N' markers for
// quit, help and next VM in a separate string.
struct Outcome {
  std::string bytes;
  std::string events;
};

Outcome feed_all(ConsoleEscape& e, const std::string& in) {
  Outcome out;
  for (char ch : in) {
    const EscapeResult r = e.feed(uint8_t(ch));
    switch (r.kind) {
      case EscapeResult::kNone: break;
      case EscapeResult::kByte: out.bytes += char(r.byte); break;
      case EscapeResult::kQuit: out.events += 'Q'; break;
      case EscapeResult::kHelp: out.events += 'H'; break;
      case EscapeResult::kNext: out.events += 'N'; break;
    }
  }
  return out;
}

TEST(ConsoleEscape, OrdinaryBytesPassThrough) {
  ConsoleEscape e;
  std::string all;
  for (int c = 0; c < 256; ++c) {
    if (c != kEscapeChar) all += char(c);
  }
  const Outcome out = feed_all(e, all);
  EXPECT_EQ(out.bytes, all);
  EXPECT_EQ(out.events, "");
  EXPECT_FALSE(e.pending());
}

TEST(ConsoleEscape, CtrlAThenXQuits) {
  ConsoleEscape e;
  EXPECT_EQ(e.feed(0x01).kind, EscapeResult::kNone);
  EXPECT_TRUE(e.pending());
  EXPECT_EQ(e.feed('x').kind, EscapeResult::kQuit);
  EXPECT_FALSE(e.pending());
}

TEST(ConsoleEscape, CtrlATwiceSendsOneCtrlA) {
  ConsoleEscape e;
  const Outcome out = feed_all(e,
                               "a\x01\x01"
                               "b");
  EXPECT_EQ(out.bytes, std::string("a\x01"
                                   "b"));
  EXPECT_EQ(out.events, "");
  // Three Ctrl-A: one literal, then an escape left pending.
  const Outcome three = feed_all(e, "\x01\x01\x01");
  EXPECT_EQ(three.bytes, "\x01");
  EXPECT_TRUE(e.pending());
}

TEST(ConsoleEscape, CtrlAThenHOrQuestionMarkAsksForHelp) {
  ConsoleEscape e;
  EXPECT_EQ(feed_all(e, "\x01h").events, "H");
  EXPECT_EQ(feed_all(e, "\x01?").events, "H");
  EXPECT_EQ(feed_all(e, "\x01h").bytes, "");
}

TEST(ConsoleEscape, CtrlAThenNPassesTheKeyboardOn) {
  ConsoleEscape e;
  const Outcome out = feed_all(e, "ab\x01nc\x01N");
  EXPECT_EQ(out.bytes, "abc");
  EXPECT_EQ(out.events, "N");  // uppercase N is not n: swallowed
}

TEST(ConsoleEscape, UnknownEscapesAreSwallowed) {
  ConsoleEscape e;
  // Like QEMU: the escape and the byte after it both vanish; uppercase X is not x.
  const Outcome out = feed_all(e,
                               "1\x01z"
                               "2\x01X"
                               "3\x01\n"
                               "4\x01\x02"
                               "5");
  EXPECT_EQ(out.bytes, "12345");
  EXPECT_EQ(out.events, "");
  EXPECT_FALSE(e.pending());
}

TEST(ConsoleEscape, StateCarriesAcrossCalls) {
  // The reader feeds one read() at a time: an escape split between two reads still works.
  ConsoleEscape e;
  Outcome first = feed_all(e, "ab\x01");
  EXPECT_EQ(first.bytes, "ab");
  EXPECT_TRUE(e.pending());
  Outcome second = feed_all(e, "xcd");
  EXPECT_EQ(second.events, "Q");
  EXPECT_EQ(second.bytes, "cd");  // the state machine itself goes on; the reader stops at Q
  EXPECT_EQ(feed_all(e, "\x01").bytes, "");
  EXPECT_EQ(feed_all(e, "\x01").bytes, "\x01");
}

TEST(ConsoleEscape, HelpTextNamesTheKeys) {
  const std::string help = kConsoleEscapeHelp;
  EXPECT_NE(help.find("C-a x"), std::string::npos);
  EXPECT_NE(help.find("C-a C-a"), std::string::npos);
  EXPECT_NE(help.find("C-a h"), std::string::npos);
}

}  // namespace
}  // namespace tandem::cli

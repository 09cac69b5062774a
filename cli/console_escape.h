// SPDX-License-Identifier: Apache-2.0
// The escape keys of the console, as QEMU's character-device multiplexer has them (chardev/
// char-mux.c): Ctrl-A x quits, Ctrl-A Ctrl-A sends one Ctrl-A to the guest, Ctrl-A h (or ?)
// prints the key list, Ctrl-A n sends the keyboard to the next VM when several run (as Axvisor's
// Ctrl-X switches its consoles), and Ctrl-A followed by anything else is swallowed. Every other
// byte goes to the guest unchanged. Pure: the caller does the pushing, quitting and printing.
#pragma once

#include <cstdint>

namespace tandem::cli {

inline constexpr uint8_t kEscapeChar = 0x01;  // Ctrl-A

inline constexpr const char* kConsoleEscapeHelp =
    "\n"
    "C-a h    print this help\n"
    "C-a x    exit tandem\n"
    "C-a n    send keyboard input to the next VM (several VMs)\n"
    "C-a C-a  send C-a to the guest\n";

struct EscapeResult {
  enum Kind : uint8_t {
    kNone,  // nothing to do (an escape started, or an unknown escape was swallowed)
    kByte,  // send `byte` to the guest
    kQuit,  // Ctrl-A x
    kHelp,  // Ctrl-A h: show kConsoleEscapeHelp
    kNext,  // Ctrl-A n: the keyboard goes to the next VM
  };
  Kind kind = kNone;
  uint8_t byte = 0;
};

class ConsoleEscape {
 public:
  constexpr EscapeResult feed(uint8_t c) {
    if (!m_pending) {
      if (c == kEscapeChar) {
        m_pending = true;
        return {};
      }
      return {EscapeResult::kByte, c};
    }
    m_pending = false;
    switch (c) {
      case kEscapeChar: return {EscapeResult::kByte, kEscapeChar};
      case 'x': return {EscapeResult::kQuit, 0};
      case 'n': return {EscapeResult::kNext, 0};
      case 'h':
      case '?': return {EscapeResult::kHelp, 0};
      default: return {};  // QEMU ignores escapes it does not know
    }
  }

  // True between a Ctrl-A and the byte that completes the escape.
  constexpr bool pending() const { return m_pending; }

 private:
  bool m_pending = false;
};

static_assert([] {
  ConsoleEscape e;
  return e.feed('a').kind == EscapeResult::kByte &&
         e.feed(kEscapeChar).kind == EscapeResult::kNone &&
         e.feed(kEscapeChar).byte == kEscapeChar &&
         e.feed(kEscapeChar).kind == EscapeResult::kNone && e.feed('x').kind == EscapeResult::kQuit;
}());

}  // namespace tandem::cli

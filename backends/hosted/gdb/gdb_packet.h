// SPDX-License-Identifier: Apache-2.0
// The GDB remote protocol's framing (GDB manual, "Overview" of the remote protocol):
// `$payload#cs` with cs the modulo-256 sum of the payload in two hex digits, `+`/`-` acks,
// and the interrupt byte 0x03 outside packets. The reader takes bytes as they come off the
// socket and reports whole packets; anything a real client never sends (a bad checksum, a
// packet longer than the size the stub advertised) is an error that ends the session.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace tandem::gdb {

// The largest payload either side sends (advertised as PacketSize in qSupported).
inline constexpr size_t kMaxPacket = 0x4000;

class PacketReader {
 public:
  enum class Event : unsigned char {
    kNone,       // need more bytes
    kPacket,     // packet() holds a whole payload, checksum verified
    kInterrupt,  // 0x03 between packets
    kAck,        // '+'
    kNack,       // '-'
    kError,      // error() says what; the session must end
  };

  // Consumes one byte.
  Event feed(uint8_t byte);
  const std::string& packet() const { return m_payload; }
  const char* error() const { return m_error; }

 private:
  enum class State : unsigned char { kIdle, kPayload, kCheck1, kCheck2 };
  State m_state = State::kIdle;
  std::string m_payload;
  uint8_t m_sum = 0;
  uint8_t m_check = 0;
  const char* m_error = "";
};

// `$payload#cs` (the payload is sent as is: the stub's replies never contain `$`, `#` or
// `}` unescaped; binary replies are not used).
std::string frame(std::string_view payload);

}  // namespace tandem::gdb

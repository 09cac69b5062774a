// SPDX-License-Identifier: Apache-2.0
#include "backends/hosted/gdb/gdb_packet.h"

#include <cstdio>

#include "backends/hosted/gdb/gdb_text.h"

namespace tandem::gdb {
PacketReader::Event PacketReader::feed(uint8_t byte) {
  switch (m_state) {
    case State::kIdle:
      if (byte == '$') {
        m_payload.clear();
        m_sum = 0;
        m_state = State::kPayload;
        return Event::kNone;
      }
      if (byte == 0x03) return Event::kInterrupt;
      if (byte == '+') return Event::kAck;
      if (byte == '-') return Event::kNack;
      return Event::kNone;  // noise between packets is skipped, as GDB does
    case State::kPayload:
      if (byte == '#') {
        m_state = State::kCheck1;
        return Event::kNone;
      }
      if (byte == '$') {
        m_error = "a '$' inside a packet";
        m_state = State::kIdle;
        return Event::kError;
      }
      if (m_payload.size() >= kMaxPacket) {
        m_error = "a packet longer than the advertised PacketSize";
        m_state = State::kIdle;
        return Event::kError;
      }
      m_payload.push_back(static_cast<char>(byte));
      m_sum = static_cast<uint8_t>(m_sum + byte);
      return Event::kNone;
    case State::kCheck1:
    case State::kCheck2: {
      const int d = hex_digit(static_cast<char>(byte));
      if (d < 0) {
        m_error = "a checksum that is not two hex digits";
        m_state = State::kIdle;
        return Event::kError;
      }
      if (m_state == State::kCheck1) {
        m_check = static_cast<uint8_t>(d << 4);
        m_state = State::kCheck2;
        return Event::kNone;
      }
      m_state = State::kIdle;
      if (static_cast<uint8_t>(m_check | d) != m_sum) {
        m_error = "a bad checksum";
        return Event::kError;
      }
      return Event::kPacket;
    }
  }
  return Event::kNone;
}

std::string frame(std::string_view payload) {
  uint8_t sum = 0;
  for (char c : payload) sum = static_cast<uint8_t>(sum + static_cast<uint8_t>(c));
  char tail[4];
  std::snprintf(tail, sizeof tail, "#%02x", sum);
  std::string out;
  out.reserve(payload.size() + 4);
  out.push_back('$');
  out.append(payload);
  out.append(tail);
  return out;
}

}  // namespace tandem::gdb

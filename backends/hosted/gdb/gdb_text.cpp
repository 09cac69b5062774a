// SPDX-License-Identifier: Apache-2.0
#include "backends/hosted/gdb/gdb_text.h"

namespace tandem::gdb {
int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<uint64_t> parse_hex(std::string_view text) {
  if (text.empty() || text.size() > 16) return std::nullopt;
  uint64_t v = 0;
  for (char c : text) {
    const int d = hex_digit(c);
    if (d < 0) return std::nullopt;
    v = (v << 4) | static_cast<uint64_t>(d);
  }
  return v;
}

std::optional<std::pair<std::string_view, std::string_view>> split(std::string_view text,
                                                                   char sep) {
  const size_t at = text.find(sep);
  if (at == std::string_view::npos) return std::nullopt;
  return std::pair{text.substr(0, at), text.substr(at + 1)};
}

std::optional<std::pair<uint64_t, uint64_t>> parse_hex_pair(std::string_view text) {
  const auto parts = split(text, ',');
  if (!parts) return std::nullopt;
  const auto a = parse_hex(parts->first);
  const auto b = parse_hex(parts->second);
  if (!a || !b) return std::nullopt;
  return std::pair{*a, *b};
}

std::optional<std::vector<uint8_t>> hex_to_bytes(std::string_view text) {
  if (text.size() % 2 != 0) return std::nullopt;
  std::vector<uint8_t> out(text.size() / 2);
  for (size_t i = 0; i < out.size(); ++i) {
    const int hi = hex_digit(text[2 * i]);
    const int lo = hex_digit(text[2 * i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out[i] = static_cast<uint8_t>(hi << 4 | lo);
  }
  return out;
}

std::string bytes_to_hex(std::span<const uint8_t> bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (uint8_t b : bytes) {
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 15]);
  }
  return out;
}

std::string text_to_hex(std::string_view text) {
  return bytes_to_hex({reinterpret_cast<const uint8_t*>(text.data()), text.size()});
}

std::optional<std::vector<uint8_t>> unescape_binary(std::string_view text) {
  std::vector<uint8_t> out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '}') {
      out.push_back(static_cast<uint8_t>(text[i]));
      continue;
    }
    if (++i == text.size()) return std::nullopt;
    out.push_back(static_cast<uint8_t>(text[i] ^ 0x20));
  }
  return out;
}

}  // namespace tandem::gdb

// SPDX-License-Identifier: Apache-2.0
// Text helpers for GDB packets: hex numbers and bytes, with every malformed or overflowing
// input refused.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace tandem::gdb {

// One hex digit's value, -1 for anything else.
int hex_digit(char c);
// A whole hex number ("1f", no prefix, at most 16 digits); nullopt for anything else.
std::optional<uint64_t> parse_hex(std::string_view text);
// Splits "a<sep>b" at the first `sep`; nullopt without one.
std::optional<std::pair<std::string_view, std::string_view>> split(std::string_view text, char sep);
// "a,b" of two hex numbers (addr,length; type,addr); nullopt for anything else.
std::optional<std::pair<uint64_t, uint64_t>> parse_hex_pair(std::string_view text);
// Hex pairs to bytes; nullopt for an odd length or a non-hex digit.
std::optional<std::vector<uint8_t>> hex_to_bytes(std::string_view text);
std::string bytes_to_hex(std::span<const uint8_t> bytes);
std::string text_to_hex(std::string_view text);
// GDB's binary escapes (X packets): `}` then the byte xor 0x20; nullopt for a trailing `}`.
std::optional<std::vector<uint8_t>> unescape_binary(std::string_view text);

}  // namespace tandem::gdb

// SPDX-License-Identifier: Apache-2.0
#include "guest.h"

namespace guest {

void put_str(const char* s) {
  while (*s != '\0') put_byte(*s++);
}

void put_hex(std::uint64_t value) {
  put_str("0x");
  int shift = 60;
  while (shift > 0 && ((value >> shift) & 0xf) == 0) shift -= 4;
  for (; shift >= 0; shift -= 4) put_byte("0123456789abcdef"[(value >> shift) & 0xf]);
}

void put_dec(std::uint64_t value) {
  char digits[20];
  int n = 0;
  do {
    digits[n++] = static_cast<char>('0' + value % 10);
    value /= 10;
  } while (value != 0);
  while (n > 0) put_byte(digits[--n]);
}

void put_hex_line(const char* label, std::uint64_t value) {
  put_str(label);
  put_hex(value);
  put_byte('\n');
}

}  // namespace guest

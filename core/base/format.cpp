// SPDX-License-Identifier: Apache-2.0
#include "core/base/format.h"

#include <cstdint>

namespace tandem {
namespace {

class Writer {
 public:
  Writer(char* buf, size_t size) : m_buf(buf), m_size(size) {}
  void put(char c) {
    if (m_len + 1 < m_size) m_buf[m_len] = c;
    m_len++;
  }
  void finish() {
    if (m_size == 0) return;
    m_buf[m_len < m_size ? m_len : m_size - 1] = '\0';
  }
  size_t length() const { return m_len; }

 private:
  char* m_buf;
  size_t m_size;
  size_t m_len = 0;
};

void put_number(Writer& w, uint64_t v, unsigned base, bool upper, bool negative, unsigned width,
                char pad, const char* prefix) {
  char digits[24];
  unsigned n = 0;
  const char* set = upper ? "0123456789ABCDEF" : "0123456789abcdef";
  do {
    digits[n++] = set[v % base];
    v /= base;
  } while (v != 0);
  unsigned prefix_len = 0;
  while (prefix[prefix_len] != '\0') prefix_len++;
  unsigned total = n + prefix_len + (negative ? 1 : 0);
  if (pad == ' ')
    for (; total < width; total++) w.put(' ');
  if (negative) w.put('-');
  for (unsigned i = 0; i < prefix_len; i++) w.put(prefix[i]);
  if (pad == '0')
    for (; total < width; total++) w.put('0');
  while (n > 0) w.put(digits[--n]);
}

}  // namespace

size_t vformat_to(char* buf, size_t size, const char* fmt, va_list args) {
  Writer w(buf, size);
  for (const char* p = fmt; *p != '\0'; p++) {
    if (*p != '%') {
      w.put(*p);
      continue;
    }
    p++;
    bool alt = false;
    char pad = ' ';
    for (;; p++) {
      if (*p == '#')
        alt = true;
      else if (*p == '0')
        pad = '0';
      else
        break;
    }
    unsigned width = 0;
    while (*p >= '0' && *p <= '9') width = width * 10 + static_cast<unsigned>(*p++ - '0');
    int longs = 0;
    while (*p == 'l' || *p == 'z') {
      longs += (*p == 'z') ? 2 : 1;
      p++;
    }
    auto get_unsigned = [&]() -> uint64_t {
      if (longs >= 1) return va_arg(args, unsigned long long);
      return va_arg(args, unsigned int);
    };
    switch (*p) {
      case 'd':
      case 'i': {
        int64_t v = longs >= 1 ? va_arg(args, long long) : va_arg(args, int);
        uint64_t mag = v < 0 ? 0 - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
        put_number(w, mag, 10, false, v < 0, width, pad, "");
        break;
      }
      case 'u': put_number(w, get_unsigned(), 10, false, false, width, pad, ""); break;
      case 'x':
      case 'X':
        put_number(w, get_unsigned(), 16, *p == 'X', false, width, pad, alt ? "0x" : "");
        break;
      case 'p':
        put_number(w, reinterpret_cast<uintptr_t>(va_arg(args, void*)), 16, false, false, width,
                   pad, "0x");
        break;
      case 'c': w.put(static_cast<char>(va_arg(args, int))); break;
      case 's': {
        const char* s = va_arg(args, const char*);
        if (s == nullptr) s = "(null)";
        unsigned len = 0;
        while (s[len] != '\0') len++;
        for (; len < width; width--) w.put(' ');
        while (*s != '\0') w.put(*s++);
        break;
      }
      case '%': w.put('%'); break;
      case '\0': p--; break;
      default:
        w.put('%');
        w.put(*p);
        break;
    }
  }
  w.finish();
  return w.length();
}

size_t format_to(char* buf, size_t size, const char* fmt, ...) {
  va_list args;
  va_start(args, fmt);
  size_t n = vformat_to(buf, size, fmt, args);
  va_end(args);
  return n;
}

}  // namespace tandem

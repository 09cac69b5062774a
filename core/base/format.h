// SPDX-License-Identifier: Apache-2.0
// A printf subset for freestanding code: %s %c %d %i %u %x %X %p %%, with the l/ll/z length
// modifiers, '0' padding, field width and '#'. Always NUL-terminates; returns the length the
// full output would have had (like snprintf).
#pragma once

#include <cstdarg>
#include <cstddef>

namespace tandem {

size_t format_to(char* buf, size_t size, const char* fmt, ...)
    __attribute__((format(printf, 3, 4)));
size_t vformat_to(char* buf, size_t size, const char* fmt, va_list args);

}  // namespace tandem

// SPDX-License-Identifier: Apache-2.0
// The IDT register operand (Intel SDM vol.3 6.10) and a way for a guest to take away every
// exception handler, for the guests that must fail the way an unprepared kernel does.
#pragma once

#include <cstdint>

namespace guest {

struct [[gnu::packed]] IdtPointer {
  std::uint16_t limit;
  std::uint64_t base;
};

// An IDT of limit 0 holds no gate: an exception then cannot be delivered (#GP), nor can that #GP,
// and the double fault that follows neither, so the CPU shuts down (a triple fault; Intel SDM
// vol.3 6.15, "Interrupt 8").
inline void load_empty_idt() {
  const IdtPointer pointer{0, 0};
  asm volatile("lidt %0" : : "m"(pointer));
}

}  // namespace guest

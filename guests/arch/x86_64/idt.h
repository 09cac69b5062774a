// SPDX-License-Identifier: Apache-2.0
// The guests' IDT (idt.cpp): exceptions (vectors 0..31) end the guest through guest_trap();
// external interrupts (32..255) go to the handler set for their vector (irq.S saves and
// restores the interrupted state). Plus the IDT register operand (Intel SDM vol.3 6.10) and a
// way for a guest to take away every exception handler, for the guests that must fail the way
// an unprepared kernel does.
#pragma once

#include <cstdint>

namespace guest {

struct [[gnu::packed]] IdtPointer {
  std::uint16_t limit;
  std::uint64_t base;
};

// What the CPU pushed for an interrupt at CPL0 in 64-bit mode (SDM vol.3 6.14.2).
struct InterruptFrame {
  std::uint64_t rip;
  std::uint64_t cs;
  std::uint64_t rflags;
  std::uint64_t rsp;
  std::uint64_t ss;
};

using IrqHandler = void (*)(unsigned vector, const InterruptFrame& frame);

inline constexpr unsigned kFirstIrqVector = 32;
// The local APIC's spurious-interrupt vector the guests program (apic.h); it needs no EOI and
// is ignored.
inline constexpr unsigned kSpuriousVector = 0xff;

// Sets the handler of external interrupt `vector` (32..254). An interrupt on a vector without
// a handler ends the guest like an exception (guest_trap(), status kTrapStatus).
void set_irq_handler(unsigned vector, IrqHandler handler);

// An IDT of limit 0 holds no gate: an exception then cannot be delivered (#GP), nor can that #GP,
// and the double fault that follows neither, so the CPU shuts down (a triple fault; Intel SDM
// vol.3 6.15, "Interrupt 8").
inline void load_empty_idt() {
  const IdtPointer pointer{0, 0};
  asm volatile("lidt %0" : : "m"(pointer));
}

}  // namespace guest

extern "C" {
// Fills the IDT and loads it (the start code calls it on the boot CPU).
void x86_install_idt();
// Loads the IDT x86_install_idt() filled, on another CPU.
void x86_load_idt();
}

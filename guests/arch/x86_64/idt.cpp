// SPDX-License-Identifier: Apache-2.0
// The IDT: the 32 exception gates lead to guest_trap() (without them an exception would
// triple-fault, which QEMU with -no-reboot reports as a clean exit with status 0); the gates
// of vectors 32..255 lead to the stubs in irq.S and from there to the handler set for the
// vector.
#include "idt.h"

#include <cstdint>

#include "guest.h"

extern "C" void x86_trap_entry();
extern "C" char x86_irq_stubs[];

namespace {

// Intel SDM vol.3 6.14.1, 64-bit IDT gate descriptor.
struct IdtGate {
  std::uint16_t offset_low;
  std::uint16_t selector;
  std::uint16_t attributes;
  std::uint16_t offset_mid;
  std::uint32_t offset_high;
  std::uint32_t reserved;
};
static_assert(sizeof(IdtGate) == 16);

constexpr std::uint16_t kInterruptGate = 0x8e00;  // P = 1, DPL 0, type 0xe (64-bit interrupt)
constexpr unsigned kVectors = 256;
constexpr unsigned kStubSize = 16;  // irq.S

alignas(16) IdtGate idt[kVectors];
guest::IrqHandler handlers[kVectors];

IdtGate gate(std::uint64_t entry, std::uint16_t cs) {
  return {static_cast<std::uint16_t>(entry),
          cs,
          kInterruptGate,
          static_cast<std::uint16_t>(entry >> 16),
          static_cast<std::uint32_t>(entry >> 32),
          0};
}

}  // namespace

void guest::set_irq_handler(unsigned vector, IrqHandler handler) {
  if (vector >= kFirstIrqVector && vector < kVectors) handlers[vector] = handler;
}

extern "C" void x86_irq_dispatch(std::uint64_t vector, const guest::InterruptFrame* frame) {
  if (vector == guest::kSpuriousVector) return;
  const guest::IrqHandler handler = vector < kVectors ? handlers[vector] : nullptr;
  if (handler == nullptr) guest_trap();
  handler(static_cast<unsigned>(vector), *frame);
}

extern "C" void x86_install_idt() {
  std::uint16_t cs;  // whichever flat code selector the loader left us in
  asm volatile("mov %%cs, %0" : "=r"(cs));
  const auto trap = reinterpret_cast<std::uint64_t>(&x86_trap_entry);
  const auto stubs = reinterpret_cast<std::uint64_t>(x86_irq_stubs);
  for (unsigned v = 0; v < kVectors; ++v)
    idt[v] = gate(
        v < guest::kFirstIrqVector ? trap : stubs + kStubSize * (v - guest::kFirstIrqVector), cs);
  x86_load_idt();
}

extern "C" void x86_load_idt() {
  const guest::IdtPointer pointer{sizeof(idt) - 1, reinterpret_cast<std::uint64_t>(idt)};
  asm volatile("lidt %0" : : "m"(pointer));
}

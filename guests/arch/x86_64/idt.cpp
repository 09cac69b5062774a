// SPDX-License-Identifier: Apache-2.0
// An IDT whose 32 exception gates all lead to guest_trap(). Without it an exception would
// triple-fault, which QEMU with -no-reboot reports as a clean exit with status 0.
#include <cstdint>

#include "idt.h"

extern "C" void x86_trap_entry();

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
constexpr int kExceptionVectors = 32;

alignas(16) IdtGate idt[kExceptionVectors];

}  // namespace

extern "C" void x86_install_idt() {
  auto entry = reinterpret_cast<std::uint64_t>(&x86_trap_entry);
  std::uint16_t cs;  // whichever flat code selector the loader left us in
  asm volatile("mov %%cs, %0" : "=r"(cs));
  for (auto& gate : idt) {
    gate = {static_cast<std::uint16_t>(entry),
            cs,
            kInterruptGate,
            static_cast<std::uint16_t>(entry >> 16),
            static_cast<std::uint32_t>(entry >> 32),
            0};
  }
  const guest::IdtPointer pointer{sizeof(idt) - 1, reinterpret_cast<std::uint64_t>(idt)};
  asm volatile("lidt %0" : : "m"(pointer));
}

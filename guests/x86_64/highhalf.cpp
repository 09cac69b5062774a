// SPDX-License-Identifier: Apache-2.0
// x86_64 in the upper half of its address space, as a kernel runs: the guest aliases the first
// 512 GiB at 0xffffff8000000000 (PML4 entry 511 = entry 0, Intel SDM vol.3 4.5), reloads CR3,
// jumps there with its stack and runs from then on at RIP values that are not physical
// addresses (its code reaches data RIP-relative, so through the alias). The identity map
// stays: the IDT, GDT and the addresses the compiler took as immediates are physical. With
// TANDEM_GUEST_HIGHHALF_IRQ (QEMU, kvm) it also takes a local APIC timer interrupt there; the
// emu backend delivers no x86 interrupts, so its build (highhalf_noirq) stops before that.
#include <cstdint>

#include "apic.h"
#include "guest.h"
#include "idt.h"

namespace {

constexpr std::uint64_t kHigh = 0xffffff8000000000;
constexpr std::uint64_t kPageMask = 0xfff;

#ifdef TANDEM_GUEST_HIGHHALF_IRQ
constexpr unsigned kTimerVector = 0x40;
constexpr std::uint32_t kTimerCount = 10000 * 1000u / 16u;  // 10 ms at QEMU's / KVM's 1 GHz / 16
volatile std::uint64_t g_irq_rip = 0;
volatile unsigned g_ticks = 0;

void on_timer(unsigned, const guest::InterruptFrame& frame) {
  g_irq_rip = frame.rip;
  g_ticks = g_ticks + 1;
  guest::apic::timer_stop();
  guest::apic::eoi();
}
#endif

std::uint64_t current_pc() {
  std::uint64_t pc;
  asm volatile("lea 0(%%rip), %0" : "=r"(pc));
  return pc;
}

bool high(std::uint64_t va) { return va >= kHigh; }

const char* yes_no(bool b) { return b ? "yes\n" : "no\n"; }

[[noreturn]] __attribute__((noinline)) void high_main() {
  const bool pc_high = high(current_pc());
  std::uint64_t local = 0;
  const bool stack_high = high(reinterpret_cast<std::uintptr_t>(&local));
  guest::put_str("highhalf: running at a high-half address: ");
  guest::put_str(yes_no(pc_high));
  guest::put_str("highhalf: stack in the high half: ");
  guest::put_str(yes_no(stack_high));
  bool ok = pc_high && stack_high;
#ifdef TANDEM_GUEST_HIGHHALF_IRQ
  namespace apic = guest::apic;
  apic::pic_disable();
  guest::set_irq_handler(kTimerVector, on_timer);
  apic::lapic_enable();
  apic::timer_periodic(kTimerVector, kTimerCount);
  while (g_ticks == 0) apic::wait_for_interrupt();
  const bool irq_high = high(g_irq_rip);
  guest::put_str("highhalf: timer interrupt taken at a high-half address: ");
  guest::put_str(yes_no(irq_high));
  ok = ok && irq_high;
#endif
  guest_exit(ok ? 0 : 1);
}

}  // namespace

extern "C" int guest_main() {
  guest::put_str("highhalf: aliasing the upper half\n");
  std::uint64_t cr3;
  asm volatile("mov %%cr3, %0" : "=r"(cr3));
  auto* pml4 = reinterpret_cast<std::uint64_t*>(cr3 & ~kPageMask);
  pml4[511] = pml4[0];
  asm volatile("mov %0, %%cr3" ::"r"(cr3) : "memory");
  const std::uint64_t target = reinterpret_cast<std::uintptr_t>(&high_main) + kHigh;
  asm volatile("add %0, %%rsp\n jmp *%1" ::"r"(kHigh), "r"(target) : "memory");
  __builtin_unreachable();
}

// SPDX-License-Identifier: Apache-2.0
// A guest that runs in the high half of its address space, as a kernel does (aarch64,
// riscv64). It builds its own page tables: the devices (first GiB) identity-mapped, and RAM
// at VA = PA + kHigh (aarch64: TTBR1_EL1, 39-bit VAs from 0xffffff8000000000, Arm ARM D8.2;
// riscv64: Sv39 from 0xffffffc000000000, privileged spec 10.3) plus, only while it switches,
// at VA = PA. It turns the MMU on, jumps to the high alias with its stack, unmaps the
// identity alias of RAM, moves its exception vector there and takes a timer interrupt, so
// everything from then on runs at virtual addresses that are not physical ones. The code is
// position-independent in practice (PC-relative addressing), which is what lets it run at both.
#include <cstdint>

#if defined(__aarch64__)
#include "a64_mmu.h"
#endif
#include "atomic.h"
#include "board.h"
#include "guest.h"

namespace {

alignas(4096) std::uint64_t g_low[512];  // aarch64 TTBR0 / riscv64 root (also the high half)
std::uint64_t g_irq_pc = 0;
std::uint32_t g_ticks = 0;

constexpr std::uint64_t kGiB = std::uint64_t{1} << 30;

#if defined(__aarch64__)
alignas(4096) std::uint64_t g_high[512];  // TTBR1
using guest::a64::kHigh;
using guest::a64::kRamBase;
using guest::a64::kRamIndex;

void mmu_on() {
  g_low[0] = 0 | guest::a64::kDeviceBlock;
  g_low[kRamIndex] = kRamBase | guest::a64::kRamBlock;
  g_high[kRamIndex] = kRamBase | guest::a64::kRamBlock;
  guest::a64::mmu_on(g_low, g_high);
}

void drop_identity_ram() {
  g_low[kRamIndex] = 0;
  asm volatile("dsb ishst\n tlbi vmalle1\n dsb ish\n isb" ::: "memory");
}

void move_vectors() {
  std::uint64_t vbar;
  asm volatile("mrs %0, vbar_el1" : "=r"(vbar));
  asm volatile("msr vbar_el1, %0\n isb" ::"r"(vbar + kHigh) : "memory");
}

std::uint64_t interrupted_pc() {
  std::uint64_t elr;
  asm volatile("mrs %0, elr_el1" : "=r"(elr));
  return elr;
}

[[noreturn]] void jump(std::uint64_t target, std::uint64_t stack_delta) {
  asm volatile("add sp, sp, %0\n br %1" ::"r"(stack_delta), "r"(target) : "memory");
  __builtin_unreachable();
}
#else
constexpr std::uint64_t kHigh = 0xffffffc000000000;
constexpr std::uint64_t kRamBase = 0x80000000;
// Sv39 leaf PTEs (privileged spec 10.3.1): V R W X, G, A D set so no walk has to.
constexpr std::uint64_t kV = 1, kR = 2, kW = 4, kX = 8, kA = 64, kD = 128;
constexpr std::uint64_t leaf(std::uint64_t pa, std::uint64_t perms) {
  return ((pa >> 12) << 10) | kV | kA | kD | perms;
}
constexpr unsigned kRamIndex = 2;                                     // VA = PA 0x80000000
constexpr unsigned kHighRamIndex = ((kHigh + kRamBase) >> 30) & 511;  // 258
constexpr std::uint64_t kSatpSv39 = std::uint64_t{8} << 60;

void mmu_on() {
  g_low[0] = leaf(0, kR | kW);
  g_low[kRamIndex] = leaf(kRamBase, kR | kW | kX);
  g_low[kHighRamIndex] = leaf(kRamBase, kR | kW | kX);
  const std::uint64_t satp = kSatpSv39 | (reinterpret_cast<std::uintptr_t>(g_low) >> 12);
  asm volatile("sfence.vma\n csrw satp, %0\n sfence.vma" ::"r"(satp) : "memory");
}

void drop_identity_ram() {
  g_low[kRamIndex] = 0;
  asm volatile("sfence.vma" ::: "memory");
}

void move_vectors() {
  std::uint64_t stvec;
  asm volatile("csrr %0, stvec" : "=r"(stvec));
  asm volatile("csrw stvec, %0" ::"r"(stvec + kHigh) : "memory");
}

std::uint64_t interrupted_pc() {
  std::uint64_t sepc;
  asm volatile("csrr %0, sepc" : "=r"(sepc));
  return sepc;
}

[[noreturn]] void jump(std::uint64_t target, std::uint64_t stack_delta) {
  asm volatile("add sp, sp, %0\n jr %1" ::"r"(stack_delta), "r"(target) : "memory");
  __builtin_unreachable();
}
#endif

std::uint64_t current_pc() {
  std::uint64_t pc;
#if defined(__aarch64__)
  asm volatile("adr %0, ." : "=r"(pc));
#else
  asm volatile("auipc %0, 0" : "=r"(pc));
#endif
  return pc;
}

bool high(std::uint64_t va) { return va >= kHigh; }

const char* yes_no(bool b) { return b ? "yes\n" : "no\n"; }

void on_irq(std::uint32_t irq) {
  if (irq != guest::kTimerIrq) guest_exit(guest::kTrapStatus);
  g_irq_pc = interrupted_pc();
  guest::timer_stop();
  guest::atomic_store(&g_ticks, 1u);
}

[[noreturn]] __attribute__((noinline)) void high_main() {
  drop_identity_ram();
  move_vectors();
  const bool pc_high = high(current_pc());
  std::uint64_t local = 0;
  const bool stack_high = high(reinterpret_cast<std::uintptr_t>(&local));
  guest::put_str("highhalf: running at a high-half address: ");
  guest::put_str(yes_no(pc_high));
  guest::put_str("highhalf: stack in the high half: ");
  guest::put_str(yes_no(stack_high));

  guest::irq_cpu_init(0);
  guest::irq_set_handler(on_irq);
  guest::irq_local_disable();
  guest::irq_enable(guest::kTimerIrq, 0);
  guest::timer_set(guest::timer_now() + guest::timer_frequency() / 100);
  while (guest::atomic_load(&g_ticks) == 0) {
    guest::wait_for_interrupt();
    guest::irq_local_enable();
    guest::irq_local_disable();
  }
  const bool irq_high = high(g_irq_pc);
  guest::put_str("highhalf: timer interrupt taken at a high-half address: ");
  guest::put_str(yes_no(irq_high));
  guest_exit(pc_high && stack_high && irq_high ? 0 : 1);
}

}  // namespace

extern "C" int guest_main() {
  // Before the switch: on aarch64 it reads the boot device tree (which GIC), which lies in RAM
  // at an address the high half no longer maps.
  guest::irq_controller_init();
  guest::put_str("highhalf: turning the MMU on\n");
  mmu_on();
  // &high_main is computed PC-relative, so it is the identity address here.
  jump(reinterpret_cast<std::uintptr_t>(&high_main) + kHigh, kHigh);
}

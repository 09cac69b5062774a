// SPDX-License-Identifier: Apache-2.0
// Cross-modifying code (aarch64, riscv64): one CPU rewrites code that another CPU has already
// run, and the other must then run the new code. The boot CPU writes a function returning 1
// and starts a second CPU, which calls it; the boot CPU then rewrites it to return 2 and does
// what the architecture asks of the writer (aarch64: DC CVAU, DSB ISH, IC IVAU, DSB ISH, Arm
// ARM B2.4.4; riscv64: FENCE, then SBI remote_fence_i to the other hart, SBI v2.0 chapter 8);
// the second CPU synchronises its own fetch (ISB; FENCE.I) and calls it again. Both results
// are printed. A CPU that kept its old translation prints 1 twice.
// Built with TANDEM_GUEST_CROSSMOD_ALIAS (aarch64, crossmod_alias), it writes as Linux does:
// both CPUs run with the MMU on, fetching the code at VA = PA, while the writer stores and
// cleans through an alias of it that no CPU can execute from (kHigh + PA, PXN and UXN), so its
// IC IVAU names an address that is not executable anywhere.
// Built with TANDEM_GUEST_CROSSMOD_IALL as well (crossmod_iall), the writer invalidates every
// instruction cache of the Inner Shareable domain (IC IALLUIS) instead of the line it wrote.
#include <cstdint>

#if defined(TANDEM_GUEST_CROSSMOD_ALIAS)
#include "a64_mmu.h"
#endif
#include "atomic.h"
#include "board.h"
#include "guest.h"

namespace {

constexpr std::uint64_t kStackSize = 16384;

// One instruction to set the return value, then return.
#if defined(__aarch64__)
constexpr std::uint32_t returning(std::uint32_t v) { return 0x52800000 | (v << 5); }  // mov w0
constexpr std::uint32_t kRet = 0xd65f03c0;                                            // ret
#else
constexpr std::uint32_t returning(std::uint32_t v) { return 0x00000513 | (v << 20); }  // li a0
constexpr std::uint32_t kRet = 0x00008067;                                             // ret
#endif

alignas(4096) std::uint32_t g_code[2];
alignas(16) std::uint8_t g_stack[kStackSize];
guest::CpuStart g_start;
std::uint32_t g_phase = 0;
std::uint32_t g_results[2];

#if defined(TANDEM_GUEST_CROSSMOD_ALIAS)
alignas(4096) std::uint64_t g_ttbr0[512];
alignas(4096) std::uint64_t g_ttbr1[512];

void mmu_on() { guest::a64::mmu_on(g_ttbr0, g_ttbr1); }

void map_memory() {
  using namespace guest::a64;
  g_ttbr0[0] = 0 | kDeviceBlock;
  g_ttbr0[kRamIndex] = kRamBase | kRamBlock;
  g_ttbr1[kRamIndex] = kRamBase | kRamBlock | kNoExec;
  mmu_on();
}

// Where the writer stores and cleans the code.
std::uint32_t* code_for_writing() {
  return reinterpret_cast<std::uint32_t*>(reinterpret_cast<std::uintptr_t>(g_code) +
                                          guest::a64::kHigh);
}
#else
void mmu_on() {}
void map_memory() {}
std::uint32_t* code_for_writing() { return g_code; }
#endif

std::uint32_t call_code() {
  return reinterpret_cast<std::uint32_t (*)()>(reinterpret_cast<std::uintptr_t>(g_code))();
}

// The executing CPU's side: its instruction fetch sees what was made visible before.
void sync_fetch() {
#if defined(__aarch64__)
  asm volatile("isb" ::: "memory");
#else
  asm volatile("fence.i" ::: "memory");
#endif
}

// The writing CPU's side, after storing instructions at g_code.
void publish_code(std::uint64_t other) {
#if defined(__aarch64__) && defined(TANDEM_GUEST_CROSSMOD_IALL)
  (void)other;
  asm volatile("dc cvau, %0\n dsb ish\n ic ialluis\n dsb ish\n isb" ::"r"(code_for_writing())
               : "memory");
#elif defined(__aarch64__)
  (void)other;
  asm volatile("dc cvau, %0\n dsb ish\n ic ivau, %0\n dsb ish\n isb" ::"r"(code_for_writing())
               : "memory");
#else
  asm volatile("fence" ::: "memory");
  register std::uint64_t a0 asm("a0") = std::uint64_t{1} << other;  // hart_mask
  register std::uint64_t a1 asm("a1") = 0;                          // hart_mask_base
  register std::uint64_t a6 asm("a6") = 0;                          // remote_fence_i
  register std::uint64_t a7 asm("a7") = 0x52464E43;                 // RFENCE
  asm volatile("ecall" : "+r"(a0), "+r"(a1) : "r"(a6), "r"(a7) : "memory");
  asm volatile("fence.i" ::: "memory");
#endif
}

void wait_phase(std::uint32_t phase) {
  while (guest::atomic_load(&g_phase) != phase) guest::cpu_relax();
}

[[noreturn]] void secondary_main(std::uint64_t) {
  mmu_on();
  sync_fetch();
  g_results[0] = call_code();
  guest::atomic_store(&g_phase, 1u);
  wait_phase(2);
  sync_fetch();
  g_results[1] = call_code();
  guest::atomic_store(&g_phase, 3u);
  guest::irq_local_disable();
  for (;;) guest::wait_for_interrupt();
}

}  // namespace

extern "C" int guest_main() {
  const std::uint64_t other = guest::boot_cpu_id() == 0 ? 1 : 0;
  map_memory();
  std::uint32_t* code = code_for_writing();
  code[0] = returning(1);
  code[1] = kRet;
  publish_code(other);
  g_start = {reinterpret_cast<std::uintptr_t>(&g_stack[kStackSize]), secondary_main, other};
  std::int64_t status = guest::cpu_start(other, &g_start);
  if (status == guest::kCpuStartAlreadyOn && guest::cpu_adopt(other, &g_start)) status = 0;
  if (status != 0) {
    guest::put_str("crossmod: no second CPU\n");
    return 1;
  }
  wait_phase(1);
  code[0] = returning(2);
  publish_code(other);
  guest::atomic_store(&g_phase, 2u);
  wait_phase(3);
  guest::put_str("crossmod: before the rewrite the other CPU ran version ");
  guest::put_dec(g_results[0]);
  guest::put_str("\ncrossmod: after the rewrite the other CPU ran version ");
  guest::put_dec(g_results[1]);
  guest::put_byte('\n');
  return g_results[0] == 1 && g_results[1] == 2 ? 0 : 1;
}

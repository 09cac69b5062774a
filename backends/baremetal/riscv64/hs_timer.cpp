// SPDX-License-Identifier: Apache-2.0
#include "backends/baremetal/riscv64/hs_timer.h"

#include "backends/baremetal/riscv64/csr.h"
#include "core/irq/irq_chip.h"

namespace tandem::baremetal::riscv64 {
namespace {

constexpr uint64_t kDisarmed = ~uint64_t{0};

// One armed value per hart: tp holds this hart's physical CPU index (entry.S).
constexpr unsigned kMaxHarts = 8;
uint64_t g_armed[kMaxHarts] = {kDisarmed, kDisarmed, kDisarmed, kDisarmed,
                               kDisarmed, kDisarmed, kDisarmed, kDisarmed};

uint64_t& armed() {
  uint64_t index;
  asm("mv %0, tp" : "=r"(index));
  return g_armed[index % kMaxHarts];
}

// SBI TIME set_timer (SBI spec v2.0, 6.1): EID "TIME", FID 0, stime_value in a0. A value in
// the future clears the pending supervisor timer interrupt.
void sbi_set_timer(uint64_t ticks) {
  register uint64_t a0 asm("a0") = ticks;
  register uint64_t a1 asm("a1") = 0;
  register uint64_t a6 asm("a6") = 0;
  register uint64_t a7 asm("a7") = 0x54494D45;  // "TIME"
  asm volatile("ecall" : "+r"(a0), "+r"(a1) : "r"(a6), "r"(a7) : "memory");
}

}  // namespace

void hs_timer_arm(uint64_t ticks) {
  if (ticks == armed()) return;
  armed() = ticks;
  sbi_set_timer(ticks);
}

void hs_timer_fired() {
  armed() = kDisarmed;
  sbi_set_timer(kDisarmed);
}

void hs_idle_until(uint64_t deadline_ns) {
  if (deadline_ns == kNoDeadline) return;
  const uint64_t ticks = ticks_at_or_after(deadline_ns);
  hs_timer_arm(ticks);
  while (csr_read<CSR_TIME>() < ticks) {
    asm volatile("wfi" ::: "memory");
    // Another hart's kick (SBI IPI, only with several vCPUs: sie.SSIE): back to the VM.
    if ((csr_read<CSR_SIP>() & SIE_SSIE) != 0) {
      csr_clear<CSR_SIP>(SIE_SSIE);
      return;
    }
  }
}

}  // namespace tandem::baremetal::riscv64

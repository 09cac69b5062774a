// SPDX-License-Identifier: Apache-2.0
// An interrupt from one CPU to another (aarch64: SGI 1 by ICC_SGI1R_EL1 / GICD_SGIR; riscv64: SBI
// IPI, the supervisor software interrupt), twice: first to a CPU waiting in WFI, then to one
// spinning on a memory load, which no exit interrupts on a hypervisor that runs each vCPU on a
// physical CPU of its own (only a kick from the sending CPU can deliver it). Needs two CPUs.
#include <cstdint>

#include "atomic.h"
#include "board.h"
#include "guest.h"

namespace {

constexpr std::uint32_t kIpi = 1;  // aarch64 SGI 1; riscv64 scause code 1 (SSI)
constexpr std::uint64_t kStackSize = 16384;
constexpr std::uint32_t kSettleLoops = 200000;  // lets the target reach its WFI or its loop

alignas(16) std::uint8_t g_stack[kStackSize];
guest::CpuStart g_start;
std::uint32_t g_stage = 0;  // target: 1 = waiting in WFI, 2 = spinning, 3 = done
std::uint32_t g_taken = 0;

void send_ipi(std::uint64_t cpu) {
#if defined(__riscv)
  // SBI IPI send_ipi (SBI spec v2.0, 7.1): hart_mask, hart_mask_base.
  register std::uint64_t a0 asm("a0") = 1;
  register std::uint64_t a1 asm("a1") = cpu;
  register std::uint64_t a6 asm("a6") = 0;
  register std::uint64_t a7 asm("a7") = 0x735049;  // "sPI"
  asm volatile("ecall" : "+r"(a0), "+r"(a1) : "r"(a6), "r"(a7) : "memory");
#else
  guest::irq_send_sgi(kIpi, static_cast<unsigned>(cpu));
#endif
}

void on_irq(std::uint32_t irq) {
#if defined(__riscv)
  asm volatile("csrc sip, %0" : : "r"(std::uint64_t{2}) : "memory");  // sip.SSIP
#endif
  if (irq == kIpi) guest::atomic_fetch_add(&g_taken, 1u);
}

void settle() {
  for (std::uint32_t i = 0; i < kSettleLoops; ++i) asm volatile("" ::: "memory");
}

[[noreturn]] void target_main(std::uint64_t id) {
  guest::irq_cpu_init(static_cast<unsigned>(id));
  guest::irq_enable(kIpi, static_cast<unsigned>(id));
  guest::irq_local_enable();
  guest::atomic_store(&g_stage, 1u);
  while (guest::atomic_load(&g_taken) < 1) guest::wait_for_interrupt();
  guest::put_str("ipi: taken in wfi\n");
  guest::atomic_store(&g_stage, 2u);
  while (guest::atomic_load(&g_taken) < 2) {
  }
  guest::put_str("ipi: taken while spinning\n");
  guest::atomic_store(&g_stage, 3u);
  guest::irq_local_disable();
  for (;;) guest::wait_for_interrupt();
}

}  // namespace

extern "C" int guest_main() {
  const std::uint64_t target = guest::boot_cpu_id() == 0 ? 1 : 0;
  guest::irq_controller_init();
  guest::irq_set_handler(on_irq);
  g_start.stack_top = reinterpret_cast<std::uintptr_t>(&g_stack[kStackSize]);
  g_start.fn = target_main;
  g_start.arg = target;
  std::int64_t status = guest::cpu_start(target, &g_start);
  if (status == guest::kCpuStartAlreadyOn && guest::cpu_adopt(target, &g_start)) status = 0;
  if (status != 0) {
    guest::put_str("ipi: needs two CPUs\n");
    return 1;
  }
  while (guest::atomic_load(&g_stage) != 1) guest::cpu_relax();
  settle();
  send_ipi(target);
  while (guest::atomic_load(&g_stage) != 2) guest::cpu_relax();
  settle();
  send_ipi(target);
  while (guest::atomic_load(&g_stage) != 3) guest::cpu_relax();
  guest::put_str("ipi: ok\n");
  return 0;
}

// SPDX-License-Identifier: Apache-2.0
// Translation-buffer benchmark (bench/README.md, memory): the boot CPU writes a run of
// TANDEM_BENCH_FRESH_MIB MiB of NOPs ending in a return, then every CPU (started as in smp.cpp,
// up to 8) calls it once, so each vCPU's engine translates that much code it has never seen.
// Tandem's peak RSS then shows whether each engine's translation buffer is bounded. Needs
// --mem 256M (the code starts 16 MiB into RAM).
#include <cstdint>

#include "atomic.h"
#include "board.h"
#include "guest.h"

namespace {

#ifndef TANDEM_BENCH_FRESH_MIB
#define TANDEM_BENCH_FRESH_MIB 120
#endif
constexpr std::uint64_t kCodeBytes = std::uint64_t{TANDEM_BENCH_FRESH_MIB} << 20;
constexpr unsigned kMaxCpus = 8;
constexpr std::uint64_t kStackSize = 16384;
#if defined(__aarch64__)
constexpr std::uintptr_t kCode = 0x41000000;
constexpr std::uint32_t kNop = 0xd503201f;  // nop
constexpr std::uint32_t kRet = 0xd65f03c0;  // ret
#else
constexpr std::uintptr_t kCode = 0x81000000;
constexpr std::uint32_t kNop = 0x00000013;  // addi x0, x0, 0
constexpr std::uint32_t kRet = 0x00008067;  // jalr x0, 0(ra)
#endif

alignas(16) std::uint8_t g_stacks[kMaxCpus][kStackSize];
guest::CpuStart g_start[kMaxCpus];
std::uint32_t g_done = 0;

// Makes this CPU fetch what was stored (Arm ARM B2.4.4: DSB, IC IVAU/IALLU, DSB, ISB; RISC-V
// Zifencei: FENCE.I), then runs the code.
void run_code() {
#if defined(__aarch64__)
  asm volatile("dsb ish\n ic iallu\n dsb ish\n isb" ::: "memory");
#else
  asm volatile("fence.i" ::: "memory");
#endif
  reinterpret_cast<void (*)()>(kCode)();
  guest::atomic_fetch_add(&g_done, 1u);
}

[[noreturn]] void secondary_main(std::uint64_t) {
  run_code();
  guest::irq_local_disable();
  for (;;) guest::wait_for_interrupt();
}

}  // namespace

extern "C" int guest_main() {
  auto* code = reinterpret_cast<volatile std::uint32_t*>(kCode);
  const std::uint64_t words = kCodeBytes / 4;
  for (std::uint64_t i = 0; i + 1 < words; ++i) code[i] = kNop;
  code[words - 1] = kRet;

  const std::uint64_t self = guest::boot_cpu_id();
  std::uint32_t cpus = 1;
  for (std::uint64_t id = 0; id < kMaxCpus && self < kMaxCpus; ++id) {
    if (id == self) continue;
    g_start[id] = {reinterpret_cast<std::uintptr_t>(&g_stacks[id][kStackSize]), secondary_main, id};
    std::int64_t status = guest::cpu_start(id, &g_start[id]);
    if (status == guest::kCpuStartAlreadyOn && guest::cpu_adopt(id, &g_start[id])) status = 0;
    if (status != 0) break;
    ++cpus;
  }
  run_code();
  while (guest::atomic_load(&g_done) < cpus) guest::cpu_relax();
  guest::put_str("fresh code: ");
  guest::put_dec(cpus);
  guest::put_str(" CPUs ran ");
  guest::put_dec(TANDEM_BENCH_FRESH_MIB);
  guest::put_str(" MiB each\n");
  return 0;
}

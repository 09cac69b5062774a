// SPDX-License-Identifier: Apache-2.0
// Multiprocessor start-up and atomics (aarch64, riscv64). The boot CPU starts every other CPU
// (aarch64 PSCI CPU_ON by HVC, MPIDR Aff0 = id; riscv64 SBI HSM hart_start) for ids 0, 1, 2, ...
// (skipping its own) until the firmware answers "invalid parameters" (no such CPU), at most
// kMaxCpus. Once all have checked in it starts one of them a second time and prints the error
// code. Then each CPU prints "cpu <id> up" in id order (a turn counter), all meet at a
// sense-reversing barrier, add 1 to a shared counter kAdds times each with an atomic
// read-modify-write (aarch64 LDAXR/STLXR loop, riscv64 AMOADD), meet again, and the boot CPU
// prints the total. The others park in WFI with interrupts masked until the boot CPU powers off.
// A CPU the firmware already let into the guest's entry at boot (guest::cpu_adopt) counts as
// started, so the output stays the same.
// riscv64 also starts a CPU at an address OpenSBI does not let S-mode execute (the CLINT,
// M-mode only) and prints SBI_ERR_INVALID_ADDRESS; QEMU's PSCI does not check CPU_ON's entry
// address (it would start the CPU there), so aarch64 skips that case.
#include <cstdint>

#include "atomic.h"
#include "board.h"
#include "guest.h"

namespace {

constexpr unsigned kMaxCpus = 8;
constexpr std::uint32_t kAdds = 1000;
constexpr std::uint64_t kStackSize = 16384;
#if defined(__riscv)
constexpr std::uint64_t kBadEntry = 0x02000000;  // CLINT: an M-mode-only region under OpenSBI
#endif

alignas(16) std::uint8_t g_stacks[kMaxCpus][kStackSize];
guest::CpuStart g_start[kMaxCpus];
std::uint32_t g_alive[kMaxCpus];
std::uint32_t g_go = 0;
std::uint32_t g_cpus = 0;
std::uint32_t g_turn = 0;
std::uint32_t g_counter = 0;
guest::Barrier g_barrier;

void put_signed(std::int64_t v) {
  if (v < 0) {
    guest::put_byte('-');
    guest::put_dec(static_cast<std::uint64_t>(-v));
  } else {
    guest::put_dec(static_cast<std::uint64_t>(v));
  }
}

// What every CPU does once the boot CPU has counted them.
void run(std::uint32_t id) {
  while (guest::atomic_load(&g_go) == 0) guest::cpu_relax();
  const std::uint32_t cpus = guest::atomic_load(&g_cpus);
  while (guest::atomic_load(&g_turn) != id) guest::cpu_relax();
  guest::put_str("cpu ");
  guest::put_dec(id);
  guest::put_str(" up\n");
  guest::atomic_store(&g_turn, id + 1);

  std::uint32_t sense = 0;
  g_barrier.wait(cpus, sense);
  for (std::uint32_t i = 0; i < kAdds; ++i) guest::atomic_fetch_add(&g_counter, 1u);
  g_barrier.wait(cpus, sense);
}

[[noreturn]] void secondary_main(std::uint64_t id) {
  guest::atomic_store(&g_alive[id], 1u);
  run(static_cast<std::uint32_t>(id));
  guest::irq_local_disable();
  for (;;) guest::wait_for_interrupt();
}

void prepare(std::uint64_t id) {
  g_start[id].stack_top = reinterpret_cast<std::uintptr_t>(&g_stacks[id][kStackSize]);
  g_start[id].fn = secondary_main;
  g_start[id].arg = id;
}

}  // namespace

extern "C" int guest_main() {
  const std::uint64_t self = guest::boot_cpu_id();
  const std::uint64_t first_other = self == 0 ? 1 : 0;
  if (self >= kMaxCpus) return 1;
  g_alive[self] = 1;

#if defined(__riscv)
  prepare(first_other);
  // The call comes before its line, so a hypervisor's own log line cannot split it.
  const std::int64_t bad_entry = guest::cpu_start(first_other, &g_start[first_other], kBadEntry);
  guest::put_str("smp: cpu_on bad entry: ");
  put_signed(bad_entry);
  guest::put_byte('\n');
#endif

  std::uint32_t cpus = 1;
  for (std::uint64_t id = 0; id < kMaxCpus; ++id) {
    if (id == self) continue;
    prepare(id);
    std::int64_t status = guest::cpu_start(id, &g_start[id]);
    if (status == guest::kCpuStartAlreadyOn && guest::cpu_adopt(id, &g_start[id])) status = 0;
    if (status == guest::kCpuStartInvalidParam) break;
    if (status != 0) {
      guest::put_str("smp: cpu_on ");
      guest::put_dec(id);
      guest::put_str(" failed: ");
      put_signed(status);
      guest::put_byte('\n');
      return 1;
    }
    ++cpus;
  }
  // Wait until every started CPU runs: before that the firmware may still call it "pending".
  for (std::uint32_t id = 0; id < cpus; ++id) {
    while (guest::atomic_load(&g_alive[id]) == 0) guest::cpu_relax();
  }
  if (cpus > 1) {
    const std::int64_t again = guest::cpu_start(first_other, &g_start[first_other]);
    guest::put_str("smp: cpu_on again: ");
    put_signed(again);
    guest::put_byte('\n');
  }

  g_cpus = cpus;
  guest::atomic_store(&g_go, 1u);
  run(static_cast<std::uint32_t>(self));

  guest::put_str("smp: ");
  guest::put_dec(cpus);
  guest::put_str(" cpus, counter = ");
  guest::put_dec(guest::atomic_load(&g_counter));
  guest::put_byte('\n');
  return guest::atomic_load(&g_counter) == cpus * kAdds ? 0 : 1;
}

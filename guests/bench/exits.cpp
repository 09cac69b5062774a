// SPDX-License-Identifier: Apache-2.0
// Exit round-trip benchmark (bench/README.md, case 1): TANDEM_BENCH_EXITS back-to-back exits and
// nothing else, so the run time of this guest minus that of its 0-exit build is the exit cost.
// The exit is a UART status read (aarch64 PL011 FR, riscv64 16550 LSR, x86_64 COM1 LSR by IN),
// or with TANDEM_BENCH_HYPERCALL a hypercall the platform firmware answers with a constant
// (PSCI_VERSION by HVC, DEN0022 5.1.1; SBI get_spec_version by ECALL, SBI spec 4.1).
// With TANDEM_BENCH_BOOT_TIMER (aarch64, riscv64) the loop's end is time-stamped by Tandem's boot
// timer, for the bare-metal trap cost in QEMU's virtual time (case 5).
#include <cstdint>

#include "guest.h"
#include "io.h"
#include "platform.h"

namespace {

constexpr std::uint64_t kExits = TANDEM_BENCH_EXITS;

inline void exit_once() {
#if defined(TANDEM_BENCH_HYPERCALL) && defined(__aarch64__)
  register std::uint64_t x0 asm("x0") = 0x84000000;  // PSCI_VERSION
  asm volatile("hvc #0" : "+r"(x0) : : "x1", "x2", "x3", "memory");
#elif defined(TANDEM_BENCH_HYPERCALL) && defined(__riscv)
  register std::uint64_t a0 asm("a0") = 0;
  register std::uint64_t a1 asm("a1") = 0;
  register std::uint64_t a6 asm("a6") = 0;     // FID 0: sbi_get_spec_version
  register std::uint64_t a7 asm("a7") = 0x10;  // EID 0x10: Base extension
  asm volatile("ecall" : "+r"(a0), "+r"(a1) : "r"(a6), "r"(a7) : "memory");
#elif defined(__aarch64__)
  guest::io::read32(guest::kPl011Base + 0x18);
#elif defined(__riscv)
  guest::io::read8(guest::kUartBase + 5);
#else
  guest::io::in8(guest::kCom1 + 5);
#endif
}

}  // namespace

extern "C" int guest_main() {
  for (std::uint64_t i = 0; i < kExits; ++i) exit_once();
#ifdef TANDEM_BENCH_BOOT_TIMER
  guest::io::write8(guest::kBootTimer, 123);
#endif
  return 0;
}

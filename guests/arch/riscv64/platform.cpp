// SPDX-License-Identifier: Apache-2.0
// NS16550 console and exit for the riscv64 guests.
#include "platform.h"

#include "guest.h"
#include "io.h"

namespace {

// 16550 data sheet: THR at offset 0, LSR at 5; LSR.THRE = transmit holding register empty.
constexpr std::uintptr_t kUartThr = guest::kUartBase + 0;
constexpr std::uintptr_t kUartLsr = guest::kUartBase + 5;
constexpr std::uint64_t kLsrThre = 1u << 5;

// SBI v1.0, System Reset extension (EID "SRST"), FID 0 sbi_system_reset(type, reason) with
// type 0 = shutdown, reason 0 = no reason. OpenSBI shuts QEMU down with exit status 0.
constexpr std::uint64_t kSbiExtSrst = 0x53525354;
constexpr std::uint64_t kSbiSrstSystemReset = 0;
// QEMU's sifive_test finisher (hw/misc/sifive_test.c): 0x3333 | code << 16 makes QEMU exit
// with `code`.
constexpr std::uint64_t kFinisherFail = 0x3333;

}  // namespace

void guest::put_byte(char c) {
  while ((io::read8(kUartLsr) & kLsrThre) == 0) {
  }
  io::write8(kUartThr, static_cast<std::uint8_t>(c));
}

extern "C" void guest_exit(int status) {
  if (status == 0) {
    register std::uint64_t a0 asm("a0") = 0;
    register std::uint64_t a1 asm("a1") = 0;
    register std::uint64_t a6 asm("a6") = kSbiSrstSystemReset;
    register std::uint64_t a7 asm("a7") = kSbiExtSrst;
    asm volatile("ecall" : "+r"(a0), "+r"(a1) : "r"(a6), "r"(a7) : "memory");
  } else {
    guest::io::write32(guest::kSifiveTestBase,
                       kFinisherFail | (static_cast<std::uint64_t>(status & 0xffff) << 16));
  }
  for (;;) asm volatile("wfi");
}

// SPDX-License-Identifier: Apache-2.0
// PL011 console and exit for the aarch64 guests.
#include "platform.h"

#include "guest.h"
#include "io.h"

namespace {

// PL011 TRM (DDI 0183), register summary: UARTDR and UARTFR; FR.TXFF = transmit FIFO full.
constexpr std::uintptr_t kUartDr = guest::kPl011Base + 0x00;
constexpr std::uintptr_t kUartFr = guest::kPl011Base + 0x18;
constexpr std::uint32_t kFrTxff = 1u << 5;

// PSCI (DEN0022) SYSTEM_OFF, SMC32 function ID; QEMU virt without EL2/EL3 takes it by HVC.
constexpr std::uint64_t kPsciSystemOff = 0x84000008;
// Arm semihosting (IHI 0090) SYS_EXIT: on A64, x1 points to a two-field block {reason, subcode};
// for ADP_Stopped_ApplicationExit QEMU exits with the subcode (target/arm semihosting).
constexpr std::uint64_t kSemihostingSysExit = 0x18;
constexpr std::uint64_t kAdpStoppedApplicationExit = 0x20026;

}  // namespace

void guest::put_byte(char c) {
  while ((io::read32(kUartFr) & kFrTxff) != 0) {
  }
  io::write32(kUartDr, static_cast<std::uint8_t>(c));
}

extern "C" void guest_exit(int status) {
  if (status == 0) {
    register std::uint64_t x0 asm("x0") = kPsciSystemOff;
    asm volatile("hvc #0" : "+r"(x0) : : "memory");
  } else {
    const std::uint64_t block[2] = {kAdpStoppedApplicationExit, static_cast<std::uint64_t>(status)};
    register std::uint64_t x0 asm("x0") = kSemihostingSysExit;
    register const std::uint64_t* x1 asm("x1") = block;
    asm volatile("hlt #0xf000" : "+r"(x0) : "r"(x1) : "memory");
  }
  for (;;) asm volatile("wfi");
}

// SPDX-License-Identifier: Apache-2.0
// Asks for a system reset at once: prints its banner, then SBI v1.0 System Reset (EID "SRST",
// FID 0 sbi_system_reset) with type 1 = cold reboot, reason 0. A VMM that restarts the VM shows
// the banner again; one that ignores the call sees the guest go on and exit with kStillRunning.
#include "guest.h"

namespace {

constexpr std::uint64_t kSbiExtSrst = 0x53525354;
constexpr std::uint64_t kSbiSrstSystemReset = 0;
constexpr std::uint64_t kColdReboot = 1;
constexpr int kStillRunning = 3;

}  // namespace

extern "C" int guest_main() {
  guest::put_str("reset: booted, asking for a reset\n");
  register std::uint64_t a0 asm("a0") = kColdReboot;
  register std::uint64_t a1 asm("a1") = 0;
  register std::uint64_t a6 asm("a6") = kSbiSrstSystemReset;
  register std::uint64_t a7 asm("a7") = kSbiExtSrst;
  asm volatile("ecall" : "+r"(a0), "+r"(a1) : "r"(a6), "r"(a7) : "memory");
  guest::put_str("reset: still running after the SBI reset\n");
  return kStillRunning;
}

// SPDX-License-Identifier: Apache-2.0
// Asks for a system reset at once: prints its banner, then PSCI SYSTEM_RESET (DEN0022D 5.1.10,
// SMC32 function ID 0x84000009) by HVC. A VMM that restarts the VM shows the banner again; one
// that ignores the call sees the guest go on and exit with kStillRunning.
#include "guest.h"

namespace {

constexpr std::uint64_t kPsciSystemReset = 0x84000009;
constexpr int kStillRunning = 3;

}  // namespace

extern "C" int guest_main() {
  guest::put_str("reset: booted, asking for a reset\n");
  register std::uint64_t x0 asm("x0") = kPsciSystemReset;
  asm volatile("hvc #0" : "+r"(x0) : : "memory");
  guest::put_str("reset: still running after SYSTEM_RESET\n");
  return kStillRunning;
}

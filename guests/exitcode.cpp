// SPDX-License-Identifier: Apache-2.0
// Exits with a non-zero status (TANDEM_GUEST_EXIT_STATUS, set in guests/CMakeLists.txt), which
// must reach the caller of the VM: semihosting on aarch64, sifive_test on riscv64, the debug-exit
// port on x86_64.
#include "guest.h"

extern "C" int guest_main() {
  guest::put_str("exitcode: exiting with status ");
  guest::put_dec(TANDEM_GUEST_EXIT_STATUS);
  guest::put_byte('\n');
  return TANDEM_GUEST_EXIT_STATUS;
}

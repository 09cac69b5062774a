// SPDX-License-Identifier: Apache-2.0
// Boot-time benchmark (bench/README.md, start-up: boot timer): writes Firecracker's magic 123 to
// Tandem's boot timer first thing, so Tandem logs the time from VM creation to here, then exits.
#include "guest.h"
#include "io.h"
#include "platform.h"

extern "C" int guest_main() {
#if defined(__x86_64__)
  guest::io::out8(guest::kBootTimerPort, 123);
#else
  guest::io::write8(guest::kBootTimer, 123);
#endif
  return 0;
}

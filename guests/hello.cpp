// SPDX-License-Identifier: Apache-2.0
// The smallest guest: one line on the console, then power off (status 0).
#include "guest.h"
#include "platform.h"

// Greetings printed so far: a global the debugger tests read and watch
// (tests/integration/gdb_test.py).
volatile unsigned g_greetings = 0;

extern "C" int guest_main() {
  guest::put_str("Hello from the ");
  guest::put_str(guest::kArchName);
  guest::put_str(" guest\n");
  g_greetings = g_greetings + 1;
  return 0;
}

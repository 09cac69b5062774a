// SPDX-License-Identifier: Apache-2.0
// The smallest guest: one line on the console, then power off (status 0).
#include "guest.h"
#include "platform.h"

extern "C" int guest_main() {
  guest::put_str("Hello from the ");
  guest::put_str(guest::kArchName);
  guest::put_str(" guest\n");
  return 0;
}

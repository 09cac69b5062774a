// SPDX-License-Identifier: Apache-2.0
#include "guest.h"

// Reached from every exception vector of the start code. Printing here would make the console
// output of the `fault` guest differ between QEMU (which delivers the abort to the guest) and
// Tandem (which stops the VM), so the status alone says what happened.
extern "C" void guest_trap() { guest_exit(guest::kTrapStatus); }

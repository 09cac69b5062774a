// SPDX-License-Identifier: Apache-2.0
// Stores to a guest-physical address where the board has neither RAM nor a device
// (kUnmappedAddress, inside the identity map), then reports that it is still running. QEMU drops
// the store and the guest prints its second line and exits with 0; Tandem stops the VM with a
// fault at the store, so only the first line is the same everywhere.
#include "guest.h"
#include "io.h"
#include "platform.h"

extern "C" int guest_main() {
  guest::put_hex_line("wild: storing to unmapped address ", guest::kUnmappedAddress);
  guest::io::write32(guest::kUnmappedAddress, 0x57494c44);  // "WILD"
  guest::put_str("wild: store dropped, still running\n");
  return 0;
}

// SPDX-License-Identifier: Apache-2.0
// Loads from a guest-physical address where the board has neither RAM nor a device
// (kUnmappedAddress in guests/arch/<arch>/platform.h). Tandem stops the VM there with an error;
// QEMU 7.2 takes a synchronous external abort on aarch64 and a load access fault on riscv64
// (OpenSBI redirects it to S-mode), and the trap vector exits with kTrapStatus; on x86_64 the
// load returns 0 and the guest exits with kLoadReturned. Only the line printed before the load
// is the same everywhere.
#include "guest.h"
#include "io.h"
#include "platform.h"

namespace {

// Status when the load came back without an exception.
constexpr int kLoadReturned = 1;

}  // namespace

extern "C" int guest_main() {
  guest::put_hex_line("fault: loading from unmapped address ", guest::kUnmappedAddress);
  guest::io::read32(guest::kUnmappedAddress);
  return kLoadReturned;
}

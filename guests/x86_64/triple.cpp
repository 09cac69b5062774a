// SPDX-License-Identifier: Apache-2.0
// Triple-faults on purpose: int3 with an empty IDT (load_empty_idt() in idt.h). QEMU with
// -no-reboot then exits with status 0, which run_qemu.sh reports as 125 (no isa-debug-exit); KVM
// reports KVM_EXIT_SHUTDOWN and Tandem stops the VM with a fault. Only the line printed before
// is the same everywhere.
#include "guest.h"
#include "idt.h"

namespace {

// Status if int3 came back, i.e. the CPU did not shut down.
constexpr int kInt3Returned = 1;

}  // namespace

extern "C" int guest_main() {
  guest::put_str("triple: int3 with an empty IDT\n");
  guest::load_empty_idt();
  asm volatile("int3");
  return kInt3Returned;
}

// SPDX-License-Identifier: Apache-2.0
// Executes an undefined instruction (ud2, #UD) with no handler for it: the guest library's IDT,
// which would catch the #UD and exit with kTrapStatus, is replaced by an empty one first, so the
// #UD escalates to a triple fault as in an unprepared kernel. QEMU with -no-reboot then exits with
// status 0 (run_qemu.sh: 125); KVM reports KVM_EXIT_SHUTDOWN and Tandem stops the VM with a
// fault. Only the line printed before is the same everywhere.
#include "guest.h"
#include "idt.h"

namespace {

// Status if ud2 came back, i.e. something emulated or skipped it.
constexpr int kUd2Returned = 1;

}  // namespace

extern "C" int guest_main() {
  guest::put_str("badinsn: ud2 with no exception handler\n");
  guest::load_empty_idt();
  asm volatile("ud2");
  return kUd2Returned;
}

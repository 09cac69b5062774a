// SPDX-License-Identifier: Apache-2.0
// The hypervisor's own exceptions (vectors.S, current-EL slots): a bug in the image, never a
// guest's doing. Report the syndrome and end the run.
#include "backends/baremetal/aarch64/platform.h"
#include "backends/baremetal/aarch64/sysreg.h"
#include "backends/baremetal/common/arch.h"
#include "backends/baremetal/common/panic.h"
#include "core/arch/aarch64/esr.h"

namespace tandem::baremetal::aarch64 {
namespace {

const char* slot_name(uint64_t slot) {
  static constexpr const char* kNames[16] = {
      "sync (SP_EL0)",  "IRQ (SP_EL0)",  "FIQ (SP_EL0)",  "SError (SP_EL0)",
      "sync",           "IRQ",           "FIQ",           "SError",
      "sync (lower)",   "IRQ (lower)",   "FIQ (lower)",   "SError (lower)",
      "sync (AArch32)", "IRQ (AArch32)", "FIQ (AArch32)", "SError (AArch32)"};
  return slot < 16 ? kNames[slot] : "?";
}

}  // namespace

extern "C" [[noreturn]] void tandem_el2_exception(uint64_t slot) {
  if (exiting()) arch::exit_platform(kExitFault);  // the previous way out faulted: next one
  const uint64_t esr = TANDEM_MRS(esr_el2);
  const uint64_t elr = TANDEM_MRS(elr_el2);
  const uint64_t far = TANDEM_MRS(far_el2);
  panic("EL2 exception in the hypervisor: %s, ESR_EL2 %#llx = %s, ELR_EL2 %#llx, FAR_EL2 %#llx",
        slot_name(slot), static_cast<unsigned long long>(esr),
        tandem::aarch64::ec_name(tandem::aarch64::esr_ec(esr)),
        static_cast<unsigned long long>(elr), static_cast<unsigned long long>(far));
}

}  // namespace tandem::baremetal::aarch64

// SPDX-License-Identifier: Apache-2.0
#include "backends/baremetal/aarch64/el2_setup.h"

#include "backends/baremetal/aarch64/guest_extensions.h"
#include "backends/baremetal/aarch64/sysreg.h"

namespace tandem::baremetal::aarch64 {
namespace {

// CNTHCTL_EL2 with E2H = 0: EL1PCTEN (bit 0) and EL1PCEN (bit 1) let EL1 read the physical
// counter and use the physical timer without trapping.
constexpr uint64_t kCnthctlEl2 = 0b11;

}  // namespace

void configure_el2() {
  TANDEM_MSR(hcr_el2, kHcrGuest | guest_hcr_pauth());
  TANDEM_MSR(cptr_el2, guest_cptr_el2());
  TANDEM_MSR(cnthctl_el2, kCnthctlEl2);
  TANDEM_MSR(cntvoff_el2, 0);  // the guest's virtual counter equals the physical one
  TANDEM_MSR(hstr_el2, 0);     // no AArch32 CP15 traps
  isb();
  configure_guest_vector_lengths();  // ZCR_EL2/SMCR_EL2 are reachable once CPTR_EL2 is set
}

void reset_el1_for_vcpu(unsigned cpu_id) {
  // VPIDR/VMPIDR reset to UNKNOWN values: set them, or the guest reads garbage from MIDR_EL1
  // and MPIDR_EL1.
  TANDEM_MSR(vpidr_el2, TANDEM_MRS(midr_el1));
  // VMPIDR_EL2: U (bit 30) = 0, a multiprocessor system.
  TANDEM_MSR(vmpidr_el2, a64::MPIDR_RES1 | cpu_id);
  TANDEM_MSR(sctlr_el1, kSctlrEl1Reset);
  TANDEM_MSR(vbar_el1, 0);
  reset_guest_streaming_mode();
  isb();
}

}  // namespace tandem::baremetal::aarch64

// SPDX-License-Identifier: Apache-2.0
#include "backends/baremetal/aarch64/stage2.h"

#include "backends/baremetal/aarch64/sysreg.h"
#include "core/base/log.h"

namespace tandem::baremetal::aarch64 {
namespace {

// Physical address sizes by encoding, shared by ID_AA64MMFR0_EL1.PARange (bits [3:0]) and
// VTCR_EL2.PS (bits [18:16]) (DDI 0487 "ID_AA64MMFR0_EL1", "VTCR_EL2").
constexpr unsigned kPaBits[] = {32, 36, 40, 42, 44, 48, 52};
constexpr unsigned pa_bits(uint64_t encoding) {
  return encoding < sizeof kPaBits / sizeof kPaBits[0] ? kPaBits[encoding] : 0;
}

}  // namespace

Result<void> activate_stage2(const Stage2Table& table) {
  if (table.layout().format() != Stage2Format::kAarch64) return Error(Status::kUnsupported);
  const uint64_t vtcr = table.hw_control();
  const unsigned cpu_bits = pa_bits(TANDEM_MRS(id_aa64mmfr0_el1) & 0xf);
  const unsigned ps_bits = pa_bits((vtcr >> 16) & 0b111);
  const unsigned ipa_bits = table.layout().ipa_bits();
  // VTCR_EL2.PS above PARange, or an IPA size above it, is CONSTRAINED UNPREDICTABLE
  // (DDI 0487 "VTCR_EL2"): refuse rather than run with an unknown behaviour.
  if (ps_bits == 0 || ps_bits > cpu_bits || ipa_bits > cpu_bits) {
    TLOG_ERROR("stage 2 wants %u-bit IPAs and %u-bit PAs; this CPU has %u-bit PAs", ipa_bits,
               ps_bits, cpu_bits);
    return Error(Status::kUnsupported);
  }
  // Table writes are done with the MMU off; make them visible to the walker before it runs.
  dsb_ishst();
  TANDEM_MSR(vtcr_el2, vtcr);
  TANDEM_MSR(vttbr_el2, table.hw_root());
  isb();
  flush_guest_tlb();
  return ok();
}

void flush_guest_tlb() {
  // D8.14 "TLB maintenance": TLBI VMALLS12E1IS invalidates stage 1 and stage 2 entries of the
  // VMID in VTTBR_EL2; the DSB waits for completion, the ISB for the context to see it.
  dsb_ishst();
  asm volatile("tlbi vmalls12e1is" : : : "memory");
  dsb_ish();
  isb();
}

}  // namespace tandem::baremetal::aarch64

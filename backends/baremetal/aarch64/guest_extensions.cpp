// SPDX-License-Identifier: Apache-2.0
// The ID register fields and control registers (DDI 0487 "ID_AA64PFR0_EL1", "ID_AA64PFR1_EL1",
// "ID_AA64ISAR1_EL1", "ID_AA64ISAR2_EL1", "ID_AA64SMFR0_EL1", "CPTR_EL2", "ZCR_EL2",
// "SMCR_EL2"). Registers newer than the assembler's baseline are named by their encoding.
#include "backends/baremetal/aarch64/guest_extensions.h"

#include "backends/baremetal/aarch64/sysreg.h"
#include "core/arch/aarch64/control_regs.h"

namespace tandem::baremetal::aarch64 {
namespace {

constexpr uint64_t field(uint64_t reg, unsigned shift) { return (reg >> shift) & 0xf; }

// ID_AA64PFR0_EL1.SVE, bits 35:32.
bool has_sve() { return field(TANDEM_MRS(id_aa64pfr0_el1), 32) != 0; }
// ID_AA64PFR1_EL1.SME, bits 27:24.
bool has_sme() { return field(TANDEM_MRS(id_aa64pfr1_el1), 24) != 0; }

// CPTR_EL2 with E2H = 0: RES1 bits 13:12 and 9:0, where bit 8 is TZ with SVE and bit 12 TSM
// with SME; TFP (bit 10), TTA and TCPAC clear.
constexpr uint64_t kCptrEl2Res1 = 0x33ff;
constexpr uint64_t kCptrTz = 1ull << 8;
constexpr uint64_t kCptrTsm = 1ull << 12;

// ZCR_EL2 and SMCR_EL2: LEN (bits 3:0) = 0b1111 requests the largest vector length; a length
// the CPU lacks reads as the largest one it has below (the effective length).
constexpr uint64_t kLenMax = 0xf;
// SMCR_EL2.FA64 (bit 31): all A64 instructions legal in streaming mode (FEAT_SME_FA64,
// ID_AA64SMFR0_EL1.FA64 bit 63); EZT0 (bit 30): ZT0 usable (SME2, ID_AA64SMFR0_EL1.SMEver
// bits 59:56 >= 1).
constexpr uint64_t kSmcrFa64 = 1ull << 31;
constexpr uint64_t kSmcrEzt0 = 1ull << 30;

}  // namespace

uint64_t guest_cptr_el2() {
  uint64_t cptr = kCptrEl2Res1;
  if (has_sve()) cptr &= ~kCptrTz;
  if (has_sme()) cptr &= ~kCptrTsm;
  return cptr;
}

uint64_t guest_hcr_pauth() {
  // Address authentication: ID_AA64ISAR1_EL1.APA (7:4) or API (11:8), or
  // ID_AA64ISAR2_EL1.APA3 (15:12); ISAR2 is S3_0_C0_C6_2.
  const uint64_t isar1 = TANDEM_MRS(id_aa64isar1_el1);
  const uint64_t isar2 = TANDEM_MRS(s3_0_c0_c6_2);
  const bool pauth = field(isar1, 4) != 0 || field(isar1, 8) != 0 || field(isar2, 12) != 0;
  return pauth ? (a64::HCR_EL2_API | a64::HCR_EL2_APK) : 0;
}

void configure_guest_vector_lengths() {
  if (has_sve()) TANDEM_MSR(s3_4_c1_c2_0, kLenMax);  // ZCR_EL2
  if (has_sme()) {
    const uint64_t smfr0 = TANDEM_MRS(s3_0_c0_c4_5);  // ID_AA64SMFR0_EL1
    uint64_t smcr = kLenMax;
    if (((smfr0 >> 63) & 1) != 0) smcr |= kSmcrFa64;
    if (field(smfr0, 56) != 0) smcr |= kSmcrEzt0;
    TANDEM_MSR(s3_4_c1_c2_6, smcr);  // SMCR_EL2
  }
  isb();
}

void reset_guest_streaming_mode() {
  // SMSTOP (MSR SVCRSMZA, #0), encoded: the assembler knows it only with +sme.
  if (has_sme()) asm volatile(".inst 0xd503467f" : : : "memory");
}

}  // namespace tandem::baremetal::aarch64

// SPDX-License-Identifier: Apache-2.0
// arch::hardware_entropy on aarch64: FEAT_RNG's RNDR register (DDI 0487 "RNDR, Random Number"),
// present when ID_AA64ISAR0_EL1.RNDR (bits 63:60) is 0b0001. A read gives 64 random bits with
// PSTATE.NZCV = 0b0000, or 0 with NZCV = 0b0100 when the generator could not produce a number
// in reasonable time; such a read is retried a few times before the fill fails.
#include "backends/baremetal/aarch64/sysreg.h"
#include "backends/baremetal/common/arch.h"
#include "devices/virtio/entropy_source.h"

namespace tandem::baremetal::arch {
namespace {

constexpr unsigned kRndrShift = 60;
constexpr uint64_t kRndrMask = 0xf;
constexpr unsigned kTries = 16;

// One RNDR read; false when the generator gave no number (Z set).
bool rndr(uint64_t& value) {
  uint64_t ok = 0;
  // RNDR is S3_3_C2_C4_0; the generic name needs no assembler support for FEAT_RNG.
  asm volatile("mrs %0, s3_3_c2_c4_0\n\tcset %1, ne" : "=r"(value), "=r"(ok) : : "cc");
  return ok != 0;
}

class RndrEntropy final : public virtio::EntropySource {
 public:
  [[nodiscard]] Result<void> fill(std::span<uint8_t> out) override {
    for (size_t done = 0; done < out.size();) {
      uint64_t value = 0;
      unsigned tries = 0;
      while (!rndr(value)) {
        if (++tries == kTries) return Error(Status::kBackend);
      }
      for (unsigned i = 0; i < 8 && done < out.size(); i++, done++) {
        out[done] = static_cast<uint8_t>(value >> (8 * i));
      }
    }
    return ok();
  }
};

RndrEntropy g_rndr;

}  // namespace

virtio::EntropySource* hardware_entropy(const char** why) {
  if (((TANDEM_MRS(id_aa64isar0_el1) >> kRndrShift) & kRndrMask) == 0) {
    *why =
        "this CPU has no random number generator (ID_AA64ISAR0_EL1.RNDR = 0: no FEAT_RNG; "
        "QEMU: -cpu max)";
    return nullptr;
  }
  return &g_rndr;
}

}  // namespace tandem::baremetal::arch

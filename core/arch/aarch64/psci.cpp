// SPDX-License-Identifier: Apache-2.0
#include "core/arch/aarch64/psci.h"

#include "core/base/log.h"

namespace tandem {
namespace {

constexpr uint32_t kSmc64Bit = 1u << 30;  // SMCCC (DEN0028) "Function Identifiers"

uint64_t ret(int64_t code) { return static_cast<uint64_t>(code); }

bool implemented(uint32_t fn) {
  switch (fn) {
    case PSCI_VERSION:
    case PSCI_CPU_SUSPEND:
    case PSCI_CPU_SUSPEND64:
    case PSCI_CPU_OFF:
    case PSCI_CPU_ON:
    case PSCI_CPU_ON64:
    case PSCI_AFFINITY_INFO:
    case PSCI_AFFINITY_INFO64:
    case PSCI_MIGRATE_INFO_TYPE:
    case PSCI_SYSTEM_OFF:
    case PSCI_SYSTEM_RESET:
    case PSCI_FEATURES: return true;
    default: return false;
  }
}

// The only vCPU has MPIDR affinity 0. Bits outside the affinity fields must be zero
// (DEN0022D 5.1.4), so any other value names no CPU.
bool is_boot_cpu(uint64_t target) { return target == 0; }

}  // namespace

uint64_t psci_call(const uint64_t x[4], PowerControl& power) {
  // SMCCC (DEN0028) "Argument passing": the function ID is W0, and an SMC32 call's
  // parameters are W1..W3, so the upper halves are ignored.
  const uint32_t fn = static_cast<uint32_t>(x[0]);
  const uint64_t arg_mask = (fn & kSmc64Bit) != 0 ? ~uint64_t{0} : 0xFFFFFFFFull;
  const uint64_t a1 = x[1] & arg_mask;
  const uint64_t a2 = x[2] & arg_mask;

  switch (fn) {
    case PSCI_VERSION: return kPsciVersion1_1;
    case PSCI_FEATURES: {
      // The queried function ID is a 32-bit value (DEN0022D 5.1.14). For CPU_SUSPEND the
      // "success" value 0 also says: original power_state format, platform-coordinated mode.
      const uint32_t queried = static_cast<uint32_t>(a1);
      return implemented(queried) ? ret(PSCI_RET_SUCCESS) : ret(PSCI_RET_NOT_SUPPORTED);
    }
    case PSCI_CPU_SUSPEND:
    case PSCI_CPU_SUSPEND64:
      // Only standby at the core level (StateType 0, AffinityLevel 0): QEMU rejects anything
      // in power_state[31:17]. A standby state may end on any wake-up event (DEN0022D
      // CPU_SUSPEND), so returning at once is legal and no WFI emulation is needed here.
      if ((a1 & 0xFFFE0000ull) != 0) return ret(PSCI_RET_INVALID_PARAMETERS);
      return ret(PSCI_RET_SUCCESS);
    case PSCI_CPU_OFF:
      // The caller is the last running vCPU: with nothing left to run the VM is over.
      TLOG_DEBUG("psci: CPU_OFF on the only vCPU, powering off");
      power.system_off(0);
      return ret(PSCI_RET_SUCCESS);
    case PSCI_CPU_ON:
    case PSCI_CPU_ON64:
      // DEN0022D 5.1.4: ALREADY_ON for a running target, INVALID_PARAMETERS for a target that
      // does not exist. The VM has a single vCPU until SMP support lands.
      return is_boot_cpu(a1) ? ret(PSCI_RET_ALREADY_ON) : ret(PSCI_RET_INVALID_PARAMETERS);
    case PSCI_AFFINITY_INFO:
    case PSCI_AFFINITY_INFO64:
      // Levels above 0 report ON, as QEMU does (DEN0022D 5.1.5 lets 1.0+ reject them).
      if (a2 != 0) return kPsciAffinityOn;
      return is_boot_cpu(a1) ? kPsciAffinityOn : ret(PSCI_RET_INVALID_PARAMETERS);
    case PSCI_MIGRATE_INFO_TYPE: return kPsciMigrateNotRequired;
    case PSCI_SYSTEM_OFF: power.system_off(0); return ret(PSCI_RET_SUCCESS);
    case PSCI_SYSTEM_RESET: power.system_reset(); return ret(PSCI_RET_SUCCESS);
    default: TLOG_DEBUG("psci: function %#x not supported", fn); return ret(PSCI_RET_NOT_SUPPORTED);
  }
}

}  // namespace tandem

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

// DEN0022D 5.1.4: the target is an MPIDR value with Aff3..Aff1 and the bits outside the
// affinity fields zero; Aff0 is the vCPU index. Anything else names no vCPU.
constexpr uint64_t kAff0 = 0xFF;

bool names_a_cpu(uint64_t target, const PsciContext& ctx) {
  if ((target & ~kAff0) != 0) return false;
  return ctx.cpus != nullptr ? target < ctx.cpus->cpu_count() : target == 0;
}

// DEN0022D 5.1.4 (CPU_ON return codes); for a single vCPU, the caller itself is the target.
uint64_t cpu_on(uint64_t target, uint64_t entry, uint64_t context, PsciContext& ctx) {
  if (!names_a_cpu(target, ctx)) return ret(PSCI_RET_INVALID_PARAMETERS);
  if (ctx.cpus == nullptr) return ret(PSCI_RET_ALREADY_ON);
  switch (ctx.cpus->cpu_on(ctx.caller, target, entry, context)) {
    case CpuOnResult::kOk: return ret(PSCI_RET_SUCCESS);
    case CpuOnResult::kNoSuchCpu: return ret(PSCI_RET_INVALID_PARAMETERS);
    case CpuOnResult::kAlreadyOn:
      return ctx.cpus->cpu_state(target) == CpuPowerState::kStarting ? ret(PSCI_RET_ON_PENDING)
                                                                     : ret(PSCI_RET_ALREADY_ON);
    case CpuOnResult::kBadEntry: return ret(PSCI_RET_INVALID_ADDRESS);
    case CpuOnResult::kUnsupported: return ret(PSCI_RET_INTERNAL_FAILURE);
  }
  return ret(PSCI_RET_INTERNAL_FAILURE);
}

uint64_t affinity_info(uint64_t target, uint64_t level, const PsciContext& ctx) {
  // Levels above 0 report ON, as QEMU does (DEN0022D 5.1.5 lets 1.0+ reject them).
  if (level != 0) return kPsciAffinityOn;
  if (!names_a_cpu(target, ctx)) return ret(PSCI_RET_INVALID_PARAMETERS);
  if (ctx.cpus == nullptr) return kPsciAffinityOn;
  switch (ctx.cpus->cpu_state(target)) {
    case CpuPowerState::kOn: return kPsciAffinityOn;
    case CpuPowerState::kOff: return kPsciAffinityOff;
    case CpuPowerState::kStarting: return kPsciAffinityOnPending;
  }
  return kPsciAffinityOff;
}

bool others_on(const PsciContext& ctx) {
  for (unsigned cpu = 0; cpu < ctx.cpus->cpu_count(); ++cpu) {
    if (cpu != ctx.caller && ctx.cpus->cpu_state(cpu) != CpuPowerState::kOff) return true;
  }
  return false;
}

void cpu_off(PsciContext& ctx) {
  if (ctx.cpus != nullptr && others_on(ctx)) {
    ctx.cpus->cpu_off(ctx.caller);
    return;
  }
  // The caller is the last running vCPU: with nothing left to run the VM is over.
  TLOG_DEBUG("psci: CPU_OFF on the last vCPU, powering off");
  ctx.power.system_off(0);
}

}  // namespace

unsigned psci_arg_regs(uint32_t fn) {
  switch (fn) {
    case PSCI_CPU_ON:
    case PSCI_CPU_ON64: return 4;
    case PSCI_AFFINITY_INFO:
    case PSCI_AFFINITY_INFO64: return 3;
    case PSCI_FEATURES:
    case PSCI_CPU_SUSPEND:
    case PSCI_CPU_SUSPEND64: return 2;
    default: return 1;
  }
}

uint64_t psci_call(const uint64_t x[4], PsciContext& ctx) {
  // SMCCC (DEN0028) "Argument passing": the function ID is W0, and an SMC32 call's
  // parameters are W1..W3, so the upper halves are ignored.
  const uint32_t fn = static_cast<uint32_t>(x[0]);
  const uint64_t arg_mask = (fn & kSmc64Bit) != 0 ? ~uint64_t{0} : 0xFFFFFFFFull;
  const uint64_t a1 = x[1] & arg_mask;
  const uint64_t a2 = x[2] & arg_mask;
  const uint64_t a3 = x[3] & arg_mask;

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
    case PSCI_CPU_OFF: cpu_off(ctx); return ret(PSCI_RET_SUCCESS);
    case PSCI_CPU_ON:
    case PSCI_CPU_ON64: return cpu_on(a1, a2, a3, ctx);
    case PSCI_AFFINITY_INFO:
    case PSCI_AFFINITY_INFO64: return affinity_info(a1, a2, ctx);
    case PSCI_MIGRATE_INFO_TYPE: return kPsciMigrateNotRequired;
    case PSCI_SYSTEM_OFF: ctx.power.system_off(0); return ret(PSCI_RET_SUCCESS);
    case PSCI_SYSTEM_RESET: ctx.power.system_reset(); return ret(PSCI_RET_SUCCESS);
    default: TLOG_DEBUG("psci: function %#x not supported", fn); return ret(PSCI_RET_NOT_SUPPORTED);
  }
}

}  // namespace tandem

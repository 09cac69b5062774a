// SPDX-License-Identifier: Apache-2.0
// PSCI 1.1 (Arm DEN0022D) for guests that call it by HVC or SMC: a pure dispatcher from the
// caller's x0..x3 to the value returned in x0. Power-state changes go to a PowerControl.
//
// The function set and the answers are QEMU 7.2's (target/arm/psci.c), which is the reference
// for differential tests: VERSION, CPU_SUSPEND, CPU_OFF, CPU_ON, AFFINITY_INFO,
// MIGRATE_INFO_TYPE, SYSTEM_OFF, SYSTEM_RESET and PSCI_FEATURES; everything else is
// NOT_SUPPORTED. vCPU i has MPIDR affinity 0.0.0.i (QEMU virt's numbering up to 16 CPUs).
#pragma once

#include <cstdint>

#include "core/vcpu/cpu_control.h"
#include "core/vm/power.h"

namespace tandem {

// Function IDs, DEN0022D 5.1 / table 5. Bit 30 selects the SMC64 calling convention
// (SMCCC, Arm DEN0028, "Function Identifiers"); only functions with 64-bit parameters have an SMC64
// form.
inline constexpr uint32_t PSCI_VERSION = 0x84000000;
inline constexpr uint32_t PSCI_CPU_SUSPEND = 0x84000001;
inline constexpr uint32_t PSCI_CPU_SUSPEND64 = 0xC4000001;
inline constexpr uint32_t PSCI_CPU_OFF = 0x84000002;
inline constexpr uint32_t PSCI_CPU_ON = 0x84000003;
inline constexpr uint32_t PSCI_CPU_ON64 = 0xC4000003;
inline constexpr uint32_t PSCI_AFFINITY_INFO = 0x84000004;
inline constexpr uint32_t PSCI_AFFINITY_INFO64 = 0xC4000004;
inline constexpr uint32_t PSCI_MIGRATE = 0x84000005;
inline constexpr uint32_t PSCI_MIGRATE64 = 0xC4000005;
inline constexpr uint32_t PSCI_MIGRATE_INFO_TYPE = 0x84000006;
inline constexpr uint32_t PSCI_MIGRATE_INFO_UP_CPU = 0x84000007;
inline constexpr uint32_t PSCI_MIGRATE_INFO_UP_CPU64 = 0xC4000007;
inline constexpr uint32_t PSCI_SYSTEM_OFF = 0x84000008;
inline constexpr uint32_t PSCI_SYSTEM_RESET = 0x84000009;
inline constexpr uint32_t PSCI_FEATURES = 0x8400000A;
inline constexpr uint32_t PSCI_CPU_FREEZE = 0x8400000B;
inline constexpr uint32_t PSCI_CPU_DEFAULT_SUSPEND = 0x8400000C;
inline constexpr uint32_t PSCI_CPU_DEFAULT_SUSPEND64 = 0xC400000C;
inline constexpr uint32_t PSCI_NODE_HW_STATE = 0x8400000D;
inline constexpr uint32_t PSCI_NODE_HW_STATE64 = 0xC400000D;
inline constexpr uint32_t PSCI_SYSTEM_SUSPEND = 0x8400000E;
inline constexpr uint32_t PSCI_SYSTEM_SUSPEND64 = 0xC400000E;
inline constexpr uint32_t PSCI_SET_SUSPEND_MODE = 0x8400000F;
inline constexpr uint32_t PSCI_STAT_RESIDENCY = 0x84000010;
inline constexpr uint32_t PSCI_STAT_RESIDENCY64 = 0xC4000010;
inline constexpr uint32_t PSCI_STAT_COUNT = 0x84000011;
inline constexpr uint32_t PSCI_STAT_COUNT64 = 0xC4000011;
inline constexpr uint32_t PSCI_SYSTEM_RESET2 = 0x84000012;
inline constexpr uint32_t PSCI_SYSTEM_RESET2_64 = 0xC4000012;
inline constexpr uint32_t PSCI_MEM_PROTECT = 0x84000013;
inline constexpr uint32_t PSCI_MEM_PROTECT_CHECK_RANGE = 0x84000014;
inline constexpr uint32_t PSCI_MEM_PROTECT_CHECK_RANGE64 = 0xC4000014;

// Return codes, DEN0022D 5.2.2 / table 6, as the 64-bit values a caller sees in x0.
inline constexpr int64_t PSCI_RET_SUCCESS = 0;
inline constexpr int64_t PSCI_RET_NOT_SUPPORTED = -1;
inline constexpr int64_t PSCI_RET_INVALID_PARAMETERS = -2;
inline constexpr int64_t PSCI_RET_DENIED = -3;
inline constexpr int64_t PSCI_RET_ALREADY_ON = -4;
inline constexpr int64_t PSCI_RET_ON_PENDING = -5;
inline constexpr int64_t PSCI_RET_INTERNAL_FAILURE = -6;
inline constexpr int64_t PSCI_RET_NOT_PRESENT = -7;
inline constexpr int64_t PSCI_RET_DISABLED = -8;
inline constexpr int64_t PSCI_RET_INVALID_ADDRESS = -9;

// PSCI_VERSION: major in [31:16], minor in [15:0] (DEN0022D 5.1.1).
inline constexpr uint64_t kPsciVersion1_1 = 0x00010001;
// MIGRATE_INFO_TYPE: 2 = no Trusted OS, so no migration is needed (DEN0022D 5.1.7).
inline constexpr uint64_t kPsciMigrateNotRequired = 2;
// AFFINITY_INFO states (DEN0022D 5.1.5).
inline constexpr uint64_t kPsciAffinityOn = 0;
inline constexpr uint64_t kPsciAffinityOff = 1;
inline constexpr uint64_t kPsciAffinityOnPending = 2;

// What a call acts on: the VM's power, its vCPUs (nullptr: one vCPU, affinity 0, that cannot
// be stopped or started), and the vCPU making the call.
struct PsciContext {
  PowerControl& power;
  CpuControl* cpus;
  unsigned caller;
};

// The registers a PSCI or SMCCC call the board answers reads: x0 (function) and x1..x3.
inline constexpr unsigned kPsciArgRegs = 4;

// How many of x0..x3 psci_call() reads for function `fn` (x0 itself included): a backend where
// each register read costs something (emu: about 40 host instructions in Unicorn 2.1.1) reads
// only those and passes 0 for the rest.
unsigned psci_arg_regs(uint32_t fn);

// x[0..3] are the caller's x0..x3; the result goes to x0. SYSTEM_OFF/SYSTEM_RESET, and
// CPU_OFF on the last vCPU that is on, end the VM through `power` (the call then does not
// return to the guest, so x0 is irrelevant); CPU_OFF on another vCPU stops it through `cpus`.
uint64_t psci_call(const uint64_t x[kPsciArgRegs], PsciContext& ctx);

}  // namespace tandem

// SPDX-License-Identifier: Apache-2.0
// Starting and stopping vCPUs on a guest's request: PSCI CPU_ON / CPU_OFF / AFFINITY_INFO
// (aarch64) and SBI HSM hart_start / hart_stop / hart_get_status (riscv64) call into this; the
// VM implements it. The firmware interfaces translate the result into their own codes.
#pragma once

#include <cstdint>

namespace tandem {

enum class CpuPowerState : unsigned char {
  kOff,       // never started, or stopped itself
  kOn,        // running or halted
  kStarting,  // CPU_ON accepted, not yet run
};

enum class CpuOnResult : unsigned char {
  kOk,
  kNoSuchCpu,    // target is not one of the VM's vCPUs
  kAlreadyOn,    // target is on or starting
  kBadEntry,     // entry is not in guest RAM
  kUnsupported,  // the backend cannot restart a vCPU that has run before
};

class CpuControl {
 public:
  // Starts vCPU `target` at `entry` with `context` in its first argument register (aarch64
  // x0; riscv64 a1, with a0 = hart id). `caller` is the vCPU asking.
  virtual CpuOnResult cpu_on(unsigned caller, uint64_t target, uint64_t entry,
                             uint64_t context) = 0;
  // The calling vCPU stops; it can be started again with cpu_on().
  virtual void cpu_off(unsigned caller) = 0;
  // kOff for a target that does not exist as well (the caller checks cpu_count()).
  virtual CpuPowerState cpu_state(uint64_t target) const = 0;
  virtual unsigned cpu_count() const = 0;

 protected:
  ~CpuControl() = default;
};

}  // namespace tandem

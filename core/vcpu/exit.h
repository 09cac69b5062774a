// SPDX-License-Identifier: Apache-2.0
// The normalised vCPU exit. Every backend (emu, kvm, baremetal) translates its native exit
// (Unicorn hook, kvm_run, ESR_EL2 / scause) into one of these; the VM's exit handler turns it
// into device calls and register updates.
#pragma once

#include <cstdint>

#include "core/base/addr.h"

namespace tandem {

enum class ExitKind : unsigned char {
  kMmioRead,     // gpa, size, reg, sign_extend  -> handler supplies value
  kMmioWrite,    // gpa, size, value
  kIoRead,       // port, size                    -> handler supplies value
  kIoWrite,      // port, size, value
  kSysRegRead,   // sysreg (encoded id), reg      -> handler supplies value
  kSysRegWrite,  // sysreg, value
  kHypercall,    // args[0..5] per the arch's calling convention (PSCI/SBI/...)
  kHalt,         // WFI / HLT
  kCpuUp,        // cpu, entry, context: a secondary is asked to start
  kCpuDown,      // the current vCPU stops
  kSystemDown,   // value = exit status
  kSystemReset,
  kNestedPageFault,    // gpa, pc: no RAM and no device
  kExternalInterrupt,  // the host wants the CPU back
  kTimeout,            // time slice ended
  kFault,              // reason: the guest cannot continue
};

struct VcpuExit {
  ExitKind kind = ExitKind::kTimeout;
  uint8_t size = 0;              // access width in bytes (1, 2, 4, 8)
  uint8_t reg = 0;               // destination/source register number (arch encoding)
  bool sign_extend = false;      // load sign-extends into a 64-bit register
  bool write = false;            // for kNestedPageFault / kFault: the access was a write
  uint64_t addr = 0;             // gpa, port or sysreg id
  uint64_t value = 0;            // store value / exit status / cpu id
  uint64_t pc = 0;               // guest PC of the instruction that exited (for messages)
  uint64_t args[6] = {};         // hypercall arguments; kCpuUp: {cpu, entry, context}
  const char* reason = nullptr;  // kFault: static human-readable reason
};

const char* to_string(ExitKind kind);

}  // namespace tandem

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
  kSystemDown,   // value = exit status
  kSystemReset,
  kExternalInterrupt,  // the host wants the CPU back
  kTimeout,            // time slice ended
  kFault,              // reason: the guest cannot continue
};
inline constexpr unsigned kExitKindCount = static_cast<unsigned>(ExitKind::kFault) + 1;

struct VcpuExit {
  ExitKind kind = ExitKind::kTimeout;
  uint8_t size = 0;              // access width in bytes (1, 2, 4, 8)
  uint8_t reg = 0;               // destination/source register number (arch encoding)
  uint8_t reg_bits = 64;         // kMmioRead: destination width (32: an aarch64 W register)
  bool sign_extend = false;      // load sign-extends into the destination register
  bool write = false;            // kFault: the access was a write
  uint64_t addr = 0;             // gpa, port or sysreg id
  uint64_t value = 0;            // store value / exit status / cpu id
  uint64_t pc = 0;               // guest PC of the instruction that exited (for messages)
  uint64_t args[8] = {};         // hypercall arguments (x0..x7 / a0..a7); results in [0], [1]
  const char* reason = nullptr;  // kFault: static human-readable reason
};

const char* to_string(ExitKind kind);

// What a backend does once the VM has handled an exit: run the guest on, or return from run()
// with the exit (a halt to idle on, the VM's stop, the end of a time slice).
enum class ExitAction : unsigned char { kResume, kReturn };

}  // namespace tandem

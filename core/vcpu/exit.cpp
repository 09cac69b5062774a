// SPDX-License-Identifier: Apache-2.0
#include "core/vcpu/exit.h"

namespace tandem {

const char* to_string(ExitKind kind) {
  switch (kind) {
    case ExitKind::kMmioRead: return "mmio-read";
    case ExitKind::kMmioWrite: return "mmio-write";
    case ExitKind::kIoRead: return "io-read";
    case ExitKind::kIoWrite: return "io-write";
    case ExitKind::kSysRegRead: return "sysreg-read";
    case ExitKind::kSysRegWrite: return "sysreg-write";
    case ExitKind::kHypercall: return "hypercall";
    case ExitKind::kHalt: return "halt";
    case ExitKind::kSystemDown: return "system-down";
    case ExitKind::kSystemReset: return "system-reset";
    case ExitKind::kExternalInterrupt: return "external-interrupt";
    case ExitKind::kTimeout: return "timeout";
    case ExitKind::kFault: return "fault";
  }
  return "unknown";
}

}  // namespace tandem

// SPDX-License-Identifier: Apache-2.0
#include "core/vm/stop.h"

#include <cstdarg>

#include "core/base/format.h"

namespace tandem {

void StopInfo::set_fault(StopKind k, const char* fmt, ...) {
  if (kind != StopKind::kRunning) return;  // the first reason wins
  kind = k;
  status = 1;
  va_list args;
  va_start(args, fmt);
  vformat_to(message, sizeof message, fmt, args);
  va_end(args);
}

VcpuExit StopInfo::as_exit(uint64_t pc) const {
  VcpuExit e;
  e.pc = pc;
  switch (kind) {
    case StopKind::kPowerOff:
      e.kind = ExitKind::kSystemDown;
      e.value = static_cast<uint64_t>(status);
      break;
    case StopKind::kReset: e.kind = ExitKind::kSystemReset; break;
    default:
      e.kind = ExitKind::kFault;
      e.reason = message;
      break;
  }
  return e;
}

}  // namespace tandem

// SPDX-License-Identifier: Apache-2.0
#include "backends/baremetal/common/run_guest.h"

namespace tandem::baremetal {

int finish(const StopInfo& stop) {
  switch (stop.kind) {
    case StopKind::kPowerOff:
      TLOG_INFO("guest powered off with status %d", stop.status);
      return stop.status;
    case StopKind::kReset: TLOG_INFO("guest asked for a reset: stopping"); return 0;
    case StopKind::kFault:
      // "guest fault" as `tandem run` reports it; the message names the access and the pc.
      TLOG_ERROR("guest fault: %s", stop.message);
      return kExitFault;
    default: TLOG_ERROR("backend error: %s", stop.message); return kExitFault;
  }
}

}  // namespace tandem::baremetal

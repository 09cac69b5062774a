// SPDX-License-Identifier: Apache-2.0
#include "backends/baremetal/common/run_guest.h"

namespace tandem::baremetal {
namespace {}  // namespace

const char* explain(const VmError& err) {
  if (err.step == VmStep::kRamSize)
    return "Repack with a --mem that is a non-zero multiple of 4 KiB within the board's RAM window";
  if (err.status == Status::kNoMemory)
    return "The host has too little free RAM for the guest: repack with a smaller --mem";
  if (err.step == VmStep::kImage && err.status == Status::kOutOfRange)
    return "The guest does not fit its RAM: repack with a larger --mem";
  if (err.step == VmStep::kImage) return "The packed guest is not a loadable ELF for this image";
  return "";
}

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

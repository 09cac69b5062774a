// SPDX-License-Identifier: Apache-2.0
#include "backends/baremetal/common/run_guest.h"

namespace tandem::baremetal {

const char* explain(const VmError& err) {
  if (err.image != ImageError::kNone) return describe(err.image);
  if (err.placement != PlacementError::kNone) return describe(err.placement);
  switch (err.step) {
    case VmStep::kRamSize:
      return "Repack with a --mem that is a non-zero multiple of 4 KiB within the board's RAM "
             "window";
    case VmStep::kImage:
      if (err.status == Status::kOutOfRange)
        return "The guest does not fit its RAM: repack with a larger --mem";
      return "The packed kernel is not one this image can boot";
    case VmStep::kFirmware:
      if (err.status == Status::kUnsupported)
        return "This board runs no firmware from flash (riscv64: pack U-Boot S-mode as --kernel)";
      if (err.status == Status::kOutOfRange) return "The firmware is bigger than the flash bank";
      return "--bios boots the firmware alone: repack without --kernel and --initrd";
    case VmStep::kInitrd: return "This kernel takes no initrd";
    case VmStep::kDtb: return "The packed --dtb is not a usable flattened device tree";
    default: break;
  }
  if (err.status == Status::kNoMemory)
    return "The host has too little free RAM for the guest: repack with a smaller --mem";
  return "";
}

int finish(const StopInfo& stop, const VmExits& exits, const char* tag) {
  const auto n = [&exits](ExitKind kind) {
    return static_cast<unsigned long long>(exits.exit_count(kind));
  };
  TLOG_INFO(
      "%sexits: mmio-read %llu, mmio-write %llu, sysreg %llu, hypercall %llu, halt %llu, "
      "interrupt %llu",
      tag, n(ExitKind::kMmioRead), n(ExitKind::kMmioWrite),
      n(ExitKind::kSysRegRead) + n(ExitKind::kSysRegWrite), n(ExitKind::kHypercall),
      n(ExitKind::kHalt), n(ExitKind::kExternalInterrupt));
  switch (stop.kind) {
    case StopKind::kPowerOff:
      TLOG_INFO("%sguest powered off with status %d", tag, stop.status);
      return stop.status;
    case StopKind::kReset: TLOG_INFO("%sguest asked for a reset: stopping", tag); return 0;
    case StopKind::kFault:
      // "guest fault" as `tandem run` reports it; the message names the access and the pc.
      TLOG_ERROR("%sguest fault: %s", tag, stop.message);
      return kExitFault;
    default: TLOG_ERROR("%sbackend error: %s", tag, stop.message); return kExitFault;
  }
}

}  // namespace tandem::baremetal

// SPDX-License-Identifier: Apache-2.0
// The end of the road for the hypervisor itself (not for a guest, whose faults stop only its
// VM): print a report on the console and end the run with a failure status.
#pragma once

namespace tandem::baremetal {

// The status a run ends with when the guest faulted or the hypervisor could not go on; the
// same as `tandem run` (cli/commands.h kExitFault).
inline constexpr int kExitFault = 125;

[[noreturn]] void panic(const char* fmt, ...) __attribute__((format(printf, 1, 2)));

}  // namespace tandem::baremetal

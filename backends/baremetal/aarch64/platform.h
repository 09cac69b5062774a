// SPDX-License-Identifier: Apache-2.0
// aarch64-only pieces of the platform hooks (platform.cpp) that the EL2 exception path needs.
#pragma once

namespace tandem::baremetal {

// Whether arch::exit_platform() has begun: an EL2 exception from then on is one of its
// attempts faulting (no semihosting, no EL3), not a hypervisor bug.
bool exiting();

}  // namespace tandem::baremetal

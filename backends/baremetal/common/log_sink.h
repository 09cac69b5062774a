// SPDX-License-Identifier: Apache-2.0
// The sink for the core's TLOG facade in a bare-metal image: every line goes to the console
// prefixed "tandem: ", so tests and people can tell the hypervisor's lines from the guest's.
#pragma once

namespace tandem::baremetal {

inline constexpr char kLogPrefix[] = "tandem: ";

void install_log_sink();

}  // namespace tandem::baremetal

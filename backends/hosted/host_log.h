// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/base/log.h"

namespace tandem::hosted {

// Routes the core's log facade to spdlog's default logger (stderr) at the given level.
void install_log_sink(log::Level level);

}  // namespace tandem::hosted

// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "cli/options.h"

namespace CLI {
class App;
}

namespace tandem::cli {

inline constexpr int kExitUsage = 2;
inline constexpr int kExitFault = 125;

int run_command(const RunOptions& opts);
int info_command();
void add_build_image(CLI::App& app, int& result);

}  // namespace tandem::cli

// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "cli/options.h"

namespace CLI {
class App;
}

namespace tandem::cli {

inline constexpr int kExitUsage = 2;
inline constexpr int kExitFault = 125;

// Builds a VM's options from a config file (`tandem ctl create`); nullopt after printing why.
using ConfigLoader = std::function<std::optional<RunOptions>(const std::string& path)>;

// `tandem run`: one VM, or several at once (run_command.cpp).
int run_command(const std::vector<RunOptions>& vms, const ConfigLoader& load);
int info_command();
// `tandem build-image`: `load` reads the VM configs it may be given, as `tandem run` does.
void add_build_image(CLI::App& app, int& result, const ConfigLoader& load);
void add_ctl(CLI::App& app, int& result);

}  // namespace tandem::cli

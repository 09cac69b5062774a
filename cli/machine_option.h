// SPDX-License-Identifier: Apache-2.0
// `--machine NAME` of `tandem run` and `tandem build-image`: the board a guest runs on, from
// core/board/boards.h's registry (default: the architecture's first board).
#pragma once

#include <string>

#include "core/base/arch.h"

namespace CLI {
class App;
}  // namespace CLI

namespace tandem::cli {

// Adds `--machine,-M NAME` to `cmd`. `--machine help` writes every board, by architecture,
// to stdout and ends the program with status 0 before any other option is checked.
void add_machine_option(CLI::App& cmd, std::string& machine);

// Whether `name` (empty: the default) names a board for `arch`, one the bare-metal images can
// build when `bare_metal`; logs why not otherwise.
bool check_machine(Arch arch, const std::string& name, bool bare_metal = false);

}  // namespace tandem::cli

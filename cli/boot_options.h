// SPDX-License-Identifier: Apache-2.0
// The options that say what a VM boots and how big it is, in QEMU's words: --kernel, --initrd,
// --append, --bios, --dtb, --mem, --cpus. `tandem run` and `tandem build-image` both take them
// from here, so the two commands cannot drift apart.
#pragma once

#include <string>

#include "cli/options.h"

namespace CLI {
class App;
}  // namespace CLI

namespace tandem::cli {

// Adds the options to `cmd`: the files and command line go to `opts`, the RAM size's text to
// `mem` (parse_size() reads it).
void add_boot_options(CLI::App& cmd, std::string& mem, RunOptions& opts);

}  // namespace tandem::cli

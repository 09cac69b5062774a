// SPDX-License-Identifier: Apache-2.0
#include "cli/device_options.h"

#include <CLI/CLI.hpp>

namespace tandem::cli {

void add_device_options(CLI::App& cmd, std::vector<std::string>& drives, bool& rng,
                        const DeviceHelp& where) {
  cmd.add_option("--drive", drives,
                 std::string("A virtio-blk disk: file=disk.img[,readonly] (a raw image, a whole "
                             "number of 512-byte sectors; ") +
                     where.drive + ")")
      ->allow_extra_args(false);  // one value per --drive: a positional argument stays one
  cmd.add_flag("--rng", rng, std::string("A virtio-rng device fed by ") + where.rng);
}

}  // namespace tandem::cli

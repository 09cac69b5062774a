// SPDX-License-Identifier: Apache-2.0
// The virtio device options `tandem run` and `tandem build-image` share, in QEMU users' words:
// `--drive file=disk.img[,readonly]` (parse_drive, cli/virtio_options.h) and `--rng`. Each
// command says in `where` what backs them there (a file and getrandom(), or the image's RAM
// and the CPU's random number generator).
#pragma once

#include <string>
#include <vector>

namespace CLI {
class App;
}  // namespace CLI

namespace tandem::cli {

struct DeviceHelp {
  const char* drive;  // the end of --drive's help: how many, where the writes go
  const char* rng;    // the end of --rng's help: where the bytes come from
};

// Adds --drive (its values' text to `drives`) and --rng to `cmd`.
void add_device_options(CLI::App& cmd, std::vector<std::string>& drives, bool& rng,
                        const DeviceHelp& where);

}  // namespace tandem::cli

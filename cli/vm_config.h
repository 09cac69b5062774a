// SPDX-License-Identifier: Apache-2.0
// VM configuration files (TOML): Axvisor's format (configs/vms/*.toml: [base], [kernel],
// [devices]) for the keys that mean something here, and Tandem's own keys in [tandem]
// (config_keys.h). A config becomes the words of a `tandem run` command line, so the options'
// own checks apply; each word remembers the file, line and key it came from, for messages.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace tandem::cli {

struct ConfigWord {
  std::string option;  // "--mem"; "" for the guest image
  std::string value;   // empty for a flag
  std::string where;   // "vm.toml:12: [tandem] mem"
};

// Reads `path`. Unknown sections and keys, wrong value types and a key given twice are errors,
// Axvisor keys Tandem cannot honour are warnings; each message on stderr names the file, line
// and key. nullopt when there was an error.
std::optional<std::vector<ConfigWord>> read_vm_config(const std::string& path);

// True for a file name `tandem run` takes as a VM config rather than a guest image.
bool is_vm_config(const std::string& path);

}  // namespace tandem::cli

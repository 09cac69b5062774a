// SPDX-License-Identifier: Apache-2.0
// The register name a device gives an offset (Device::register_name), for the name tests.
#pragma once

#include <cstdint>
#include <string>

#include "core/bus/device.h"

namespace tandem::test {

// The name `dev` gives the register a read (or a write) at `offset` reaches, or "(none)".
inline std::string name_of(const Device& dev, uint64_t offset, bool write = false) {
  RegisterName out;
  return dev.register_name(offset, write, out) ? std::string(out.text) : "(none)";
}

}  // namespace tandem::test

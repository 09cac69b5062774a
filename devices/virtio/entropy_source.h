// SPDX-License-Identifier: Apache-2.0
// Where the entropy device's bytes come from: the host's getrandom() on Linux, the hardware's
// RNG on a board that has one.
#pragma once

#include <cstdint>
#include <span>

#include "core/base/result.h"

namespace tandem::virtio {

class EntropySource {
 public:
  // Fills all of `out`; an error when the source has nothing to give.
  [[nodiscard]] virtual Result<void> fill(std::span<uint8_t> out) = 0;

 protected:
  ~EntropySource() = default;
};

}  // namespace tandem::virtio

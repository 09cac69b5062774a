// SPDX-License-Identifier: Apache-2.0
// virtio-rng's source on a Linux host: getrandom(2) from the kernel's pool.
#pragma once

#include "devices/virtio/entropy_source.h"

namespace tandem::hosted {

class HostEntropy final : public virtio::EntropySource {
 public:
  [[nodiscard]] Result<void> fill(std::span<uint8_t> out) override;
};

}  // namespace tandem::hosted

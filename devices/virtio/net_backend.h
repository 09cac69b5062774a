// SPDX-License-Identifier: Apache-2.0
// Where a virtio-net device's Ethernet frames go and come from (the host's user-mode network,
// or a test). Frames are whole Ethernet frames without the FCS and without virtio's header.
// Both calls come from the thread that runs the device (under the VM's lock); a backend that
// receives on another thread keeps its frames until receive() takes them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace tandem::virtio {

class NetBackend {
 public:
  // A frame the guest transmitted.
  virtual void send(std::span<const uint8_t> frame) = 0;
  // Moves the oldest frame waiting for the guest into `out` and returns its length; 0 when none
  // waits. A backend never offers a frame longer than `out` (it drops those itself).
  virtual size_t receive(std::span<uint8_t> out) = 0;

 protected:
  ~NetBackend() = default;
};

}  // namespace tandem::virtio

// SPDX-License-Identifier: Apache-2.0
// Reading a packed payload area (common/payload.h): the header and the VM table checked
// against the bytes the image really carries, each VM's pieces as spans into them. Pure, so
// the host tests it on payloads the packer wrote and on damaged ones.
#pragma once

#include <cstdint>
#include <span>

#include "backends/baremetal/common/payload.h"
#include "core/base/result.h"

namespace tandem::baremetal {

// One packed VM, its pieces pointing into the payload.
struct PackedVm {
  uint64_t ram_size = 0;
  unsigned cpus = 1;
  const char* board = nullptr;  // null: the architecture's default
  const char* name = "";        // the console prefix's name (several VMs)
  std::span<const uint8_t> pieces[kPieceCount];

  std::span<const char> bootargs() const {
    return {reinterpret_cast<const char*>(pieces[kPieceBootargs].data()),
            pieces[kPieceBootargs].size()};
  }
};

struct Payload {
  unsigned vm_count = 0;
  PackedVm vms[kPayloadMaxVms];

  // Physical CPUs the VMs take in all: VM i gets the next vms[i].cpus after VM i-1's.
  unsigned cpus() const {
    unsigned n = 0;
    for (unsigned i = 0; i < vm_count; i++) n += vms[i].cpus;
    return n;
  }
};

// The payload in `area` (its header first; `area` ends where the image's payload segment
// does). kNotFound when no guest was packed; kBadImage with `why` set to a one-line reason
// when the header or a VM descriptor is damaged, from another version, or names bytes
// outside the area, or the VMs together want more than kPayloadMaxCpus physical CPUs.
[[nodiscard]] Result<Payload> parse_payload(std::span<const uint8_t> area, const char** why);

}  // namespace tandem::baremetal

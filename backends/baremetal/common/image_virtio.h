// SPDX-License-Identifier: Apache-2.0
// The virtio devices a packed VM asks for (`tandem build-image --drive/--rng/--console virtio`),
// on what a bare-metal machine has: the packed disk's bytes where the boot loader put them
// (the image's own RAM: the guest's writes stay there until the machine is reset or powered
// off), the CPU's random number generator, the real console. The device models are
// `tandem run`'s (devices/virtio/), in its order: the disk, the entropy device, the console.
#pragma once

#include <span>

#include "backends/baremetal/common/payload_parse.h"
#include "devices/char_sink.h"
#include "devices/virtio/virtio_device.h"

namespace tandem::baremetal {

// The devices for `vm`, the payload's VM `slot` (built once per slot; they live as long as the
// image), its virtio console writing to `console`. A VM that asks for an entropy device on a
// CPU without a random number generator ends the run with one panic line.
std::span<virtio::VirtioDevice* const> image_virtio(const PackedVm& vm, CharSink& console,
                                                    unsigned slot);

}  // namespace tandem::baremetal

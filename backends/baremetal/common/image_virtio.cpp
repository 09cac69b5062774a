// SPDX-License-Identifier: Apache-2.0
#include "backends/baremetal/common/image_virtio.h"

#include <cstdint>
#include <optional>

#include "backends/baremetal/common/arch.h"
#include "backends/baremetal/common/boot.h"
#include "backends/baremetal/common/panic.h"
#include "core/base/log.h"
#include "devices/virtio/block.h"
#include "devices/virtio/console.h"
#include "devices/virtio/entropy.h"
#include "devices/virtio/memory_block_storage.h"

namespace tandem::baremetal {
namespace {

// One VM's devices. Trivially destructible, so no exit-time destructor is registered.
struct VmDevices {
  std::optional<virtio::MemoryBlockStorage> disk;
  std::optional<virtio::Block> block;
  std::optional<virtio::Entropy> entropy;
  std::optional<virtio::Console> console;
  virtio::VirtioDevice* list[3] = {};
};
VmDevices g_vms[kPayloadMaxVms];

}  // namespace

std::span<virtio::VirtioDevice* const> image_virtio(const PackedVm& vm, CharSink& console,
                                                    unsigned slot) {
  VmDevices& d = g_vms[slot];
  size_t count = 0;
  const std::span<const uint8_t> disk = vm.pieces[kPieceDisk];
  if (!disk.empty()) {
    const bool read_only = vm.has(kDeviceDiskReadOnly);
    const auto at = reinterpret_cast<uintptr_t>(disk.data());
    // One line a user (or a test reading the machine's RAM afterwards) can find the disk by.
    TLOG_INFO("virtio-blk: %llu KiB disk%s in RAM at %#llx-%#llx (writes stay there until reset)",
              static_cast<unsigned long long>(disk.size() >> 10), read_only ? " (read-only)" : "",
              static_cast<unsigned long long>(at),
              static_cast<unsigned long long>(at + disk.size()));
    d.disk.emplace(payload_bytes(disk), read_only);
    d.list[count++] = &d.block.emplace(*d.disk);
  }
  if (vm.has(kDeviceRng)) {
    const char* why = "";
    virtio::EntropySource* source = arch::hardware_entropy(&why);
    if (source == nullptr) panic("cannot start the guest: --rng: %s. Repack without --rng", why);
    d.list[count++] = &d.entropy.emplace(*source);
  }
  if (vm.has(kDeviceVirtioConsole)) d.list[count++] = &d.console.emplace(console);
  return {d.list, count};
}

}  // namespace tandem::baremetal

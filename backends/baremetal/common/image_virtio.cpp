// SPDX-License-Identifier: Apache-2.0
#include "backends/baremetal/common/image_virtio.h"

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

// Trivially destructible, so no exit-time destructor is registered.
std::optional<virtio::MemoryBlockStorage> g_disk;
std::optional<virtio::Block> g_block;
std::optional<virtio::Entropy> g_entropy;
std::optional<virtio::Console> g_console;
virtio::VirtioDevice* g_devices[3] = {};

}  // namespace

std::span<virtio::VirtioDevice* const> image_virtio(const PackedVm& vm, CharSink& console) {
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
    g_disk.emplace(payload_bytes(disk), read_only);
    g_devices[count++] = &g_block.emplace(*g_disk);
  }
  if (vm.has(kDeviceRng)) {
    const char* why = "";
    virtio::EntropySource* source = arch::hardware_entropy(&why);
    if (source == nullptr) panic("cannot start the guest: --rng: %s. Repack without --rng", why);
    g_devices[count++] = &g_entropy.emplace(*source);
  }
  if (vm.has(kDeviceVirtioConsole)) g_devices[count++] = &g_console.emplace(console);
  return {g_devices, count};
}

}  // namespace tandem::baremetal

// SPDX-License-Identifier: Apache-2.0
// A board's virtio-mmio transports: `count` transports `stride` bytes apart from `base`,
// transport n raising interrupt `first_irq + n` (aarch64 virt: 32 at 0x0a000000 + 0x200 n, SPI
// 16 + n; riscv64 virt: 8 at 0x10001000 + 0x1000 n, PLIC source 1 + n, as QEMU 7.2 places
// them; x86_64 pc: 8 at 0xd0000000 + 0x1000 n, GSI 16 + n). Every transport exists (empty ones
// read DeviceID 0); devices fill them from the highest address down, as QEMU's
// `-device virtio-*-device` options do, so a guest finds each device at the same address on both.
#pragma once

#include <cstdint>
#include <span>

#include "core/base/result.h"
#include "core/board/board.h"
#include "devices/virtio/console.h"
#include "devices/virtio/mmio_transport.h"

namespace tandem {

struct VirtioSlotLayout {
  const char* dt_node;  // the transports' device tree path without the unit address
  uint64_t base;
  uint64_t stride;
  unsigned count;
  uint32_t first_irq;  // in the board's interrupt controller numbering
};

class VirtioSlots {
 public:
  static constexpr unsigned kMaxSlots = 32;

  // Describes transport n in placed[n] for every n < layout.count (at most kMaxSlots).
  VirtioSlots(const VirtioSlotLayout& layout, PlacedDevice* placed);
  VirtioSlots(const VirtioSlots&) = delete;
  VirtioSlots& operator=(const VirtioSlots&) = delete;

  // Puts `device` in the highest free transport; kCapacity when every one is taken.
  [[nodiscard]] Result<void> plug(virtio::VirtioDevice& device);
  // Console input for the first virtio console plugged (--console virtio), if any: the board
  // hands it there instead of to its UART.
  bool has_console() const { return m_console != nullptr; }
  bool console_can_receive() const { return m_console->can_receive(); }
  void console_push(uint8_t c);
  // Runs the queues whose devices have host-side work (received frames), between vCPU slices.
  void poll_host();
  // Gives each transport the guest's memory and its interrupt line on `controller`.
  void connect(AddressSpace& space, IrqController* controller);
  unsigned count() const { return m_layout.count; }
  const VirtioSlotLayout& layout() const { return m_layout; }

 private:
  VirtioSlotLayout m_layout;
  virtio::MmioTransport m_transports[kMaxSlots];
  virtio::Console* m_console = nullptr;
  unsigned m_console_slot = 0;
};

}  // namespace tandem

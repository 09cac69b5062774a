// SPDX-License-Identifier: Apache-2.0
#include "core/board/virtio_slots.h"

#include "core/mm/address_space.h"

namespace tandem {

VirtioSlots::VirtioSlots(const VirtioSlotLayout& layout, PlacedDevice* placed) : m_layout(layout) {
  if (m_layout.count > kMaxSlots) m_layout.count = kMaxSlots;
  // Transports smaller than a page share MMIO holes: the first one's window covers them all.
  const uint64_t all = (m_layout.count * m_layout.stride + kPageSize4K - 1) & ~(kPageSize4K - 1);
  for (unsigned n = 0; n < m_layout.count; n++) {
    const uint64_t window = m_layout.stride >= kPageSize4K ? m_layout.stride : n == 0 ? all : 0;
    placed[n] = {m_layout.dt_node,      &m_transports[n],
                 BusSpace::kMmio,       m_layout.base + n * m_layout.stride,
                 m_layout.stride,       window,
                 m_layout.first_irq + n};
  }
}

Result<void> VirtioSlots::plug(virtio::VirtioDevice& device) {
  for (unsigned n = m_layout.count; n-- > 0;) {
    if (m_transports[n].plugged()) continue;
    m_transports[n].plug(device);
    // The device ID names the class: virtio-console is the only device with ID 3 (5.3).
    if (device.device_id() == virtio::DeviceId::kConsole && m_console == nullptr) {
      m_console = static_cast<virtio::Console*>(&device);
      m_console_slot = n;
    }
    return ok();
  }
  return Error(Status::kCapacity);
}

void VirtioSlots::console_push(uint8_t c) {
  m_console->push_rx(c);
  m_transports[m_console_slot].notify(virtio::Console::kReceiveQueue);
}

void VirtioSlots::poll_host() {
  for (unsigned n = 0; n < m_layout.count; n++) m_transports[n].poll_host();
}

void VirtioSlots::connect(AddressSpace& space, IrqController* controller) {
  for (unsigned n = 0; n < m_layout.count; n++) {
    m_transports[n].set_memory(space);
    m_transports[n].connect_irq(IrqLine(controller, m_layout.first_irq + n));
  }
}

}  // namespace tandem

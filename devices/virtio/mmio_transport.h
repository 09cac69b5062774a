// SPDX-License-Identifier: Apache-2.0
// The virtio-mmio transport, version 2 (virtio 1.2 4.2.2): the register block a driver finds
// a device through, negotiates features, programs split virtqueues, notifies and takes
// interrupts with. A transport with no device reads DeviceID 0 (4.2.3.1.1: the driver ignores
// it), as QEMU's empty virt slots do.
//
//   0x000 MagicValue "virt"  0x004 Version 2   0x008 DeviceID       0x00c VendorID
//   0x010 DeviceFeatures     0x014 DeviceFeaturesSel                 0x020 DriverFeatures
//   0x024 DriverFeaturesSel  0x030 QueueSel    0x034 QueueNumMax    0x038 QueueNum
//   0x044 QueueReady         0x050 QueueNotify 0x060 InterruptStatus 0x064 InterruptACK
//   0x070 Status             0x080/0x084 QueueDesc  0x090/0x094 QueueDriver
//   0x0a0/0x0a4 QueueDevice  0x0ac SHMSel  0x0b0.. SHM len/base (no regions: all ones)
//   0x0fc ConfigGeneration   0x100.. device configuration space
//
// Registers take 32-bit accesses; the configuration space 1, 2 and 4 bytes (8 as two 4s).
// Queue registers are ignored while the queue is ready, feature writes once FEATURES_OK is
// set. A driver that breaks a queue's rules gets DEVICE_NEEDS_RESET and a configuration
// change interrupt (2.1.2); the queue then does nothing until the driver resets the device.
#pragma once

#include <cstdint>
#include <optional>

#include "core/bus/device.h"
#include "core/irq/irq_line.h"
#include "core/mm/guest_memory.h"
#include "devices/virtio/virtio_device.h"
#include "devices/virtio/virtqueue.h"

namespace tandem::virtio {

class MmioTransport final : public Device {
 public:
  static constexpr uint64_t kSize = 0x200;
  static constexpr uint32_t kMagic = 0x74726976;   // "virt"
  static constexpr uint32_t kVendor = 0x4d444e54;  // "TNDM"
  static constexpr unsigned kMaxQueues = 2;

  MmioTransport() = default;
  MmioTransport(const MmioTransport&) = delete;
  MmioTransport& operator=(const MmioTransport&) = delete;

  // Puts `device` (at most kMaxQueues queues) behind the transport, before the guest runs.
  void plug(VirtioDevice& device) { m_device = &device; }
  bool plugged() const { return m_device != nullptr; }
  void set_memory(AddressSpace& space) { m_memory.emplace(space); }
  void connect_irq(IrqLine line) { m_irq = line; }

  const char* name() const override { return "virtio-mmio"; }
  uint64_t read(uint64_t offset, unsigned size) override;
  void write(uint64_t offset, unsigned size, uint64_t value) override;
  bool register_name(uint64_t offset, bool write, RegisterName& out) const override;

  // The driver's QueueNotify, or the host side having data for queue `index` (console input):
  // runs the device on the queue when the driver has it running, then interrupts if asked.
  void notify(uint32_t index);
  // Runs the queues the device's host side has work for (VirtioDevice::host_pending).
  void poll_host();

  uint32_t status() const { return m_status; }
  uint32_t interrupt_status() const { return m_isr; }

 private:
  struct Queue {
    QueueConfig config;
    bool ready = false;
    Virtqueue vq;
  };

  uint32_t read_register(uint64_t offset);
  void write_register(uint64_t offset, uint32_t value);
  void write_queue_register(uint64_t offset, uint32_t value);
  void write_status(uint32_t value);
  void set_ready(Queue& q, bool ready);
  void reset();
  void needs_reset(const char* why);
  void interrupt(uint32_t bits);
  unsigned queue_count() const;
  Queue* selected();
  uint64_t offered() const;

  VirtioDevice* m_device = nullptr;
  std::optional<GuestMemory> m_memory;
  IrqLine m_irq;
  Queue m_queues[kMaxQueues];
  uint64_t m_driver_features = 0;
  uint32_t m_device_features_sel = 0;
  uint32_t m_driver_features_sel = 0;
  uint32_t m_queue_sel = 0;
  uint32_t m_status = 0;
  uint32_t m_isr = 0;
  uint32_t m_config_generation = 0;
};

}  // namespace tandem::virtio

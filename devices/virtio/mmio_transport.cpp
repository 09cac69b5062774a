// SPDX-License-Identifier: Apache-2.0
#include "devices/virtio/mmio_transport.h"

#include "core/base/log.h"
#include "devices/virtio/mmio_regs.h"

namespace tandem::virtio {
namespace {

using namespace mmio;  // NOLINT(google-build-using-namespace): the register names

void set_half(uint64_t& field, bool high, uint32_t value) {
  const unsigned shift = high ? 32 : 0;
  field = (field & ~(uint64_t{0xffff'ffff} << shift)) | (uint64_t{value} << shift);
}

}  // namespace

unsigned MmioTransport::queue_count() const {
  if (m_device == nullptr) return 0;
  const unsigned n = m_device->queue_count();
  return n < kMaxQueues ? n : kMaxQueues;
}

MmioTransport::Queue* MmioTransport::selected() {
  return m_queue_sel < queue_count() ? &m_queues[m_queue_sel] : nullptr;
}

uint64_t MmioTransport::offered() const {
  return m_device == nullptr ? 0 : m_device->device_features() | kTransportFeatures;
}

uint64_t MmioTransport::read(uint64_t offset, unsigned size) {
  if (offset >= kConfig) {
    if (m_device == nullptr) return 0;
    const auto at = static_cast<uint32_t>(offset - kConfig);
    if (size == 8)
      return m_device->config_read(at, 4) | uint64_t{m_device->config_read(at + 4, 4)} << 32;
    return size <= 4 ? m_device->config_read(at, size) : 0;
  }
  if (size != 4 || offset % 4 != 0) {
    TLOG_DEBUG("virtio-mmio: ignored %u-byte read at %#llx", size,
               static_cast<unsigned long long>(offset));
    return 0;
  }
  return read_register(offset);
}

uint32_t MmioTransport::read_register(uint64_t offset) {
  Queue* q = selected();
  switch (offset) {
    case kMagicValue: return kMagic;
    case kVersion: return 2;
    case kDeviceId:
      return static_cast<uint32_t>(m_device == nullptr ? DeviceId::kNone : m_device->device_id());
    case kVendorId: return kVendor;
    case kDeviceFeatures:
      return m_device_features_sel < 2
                 ? static_cast<uint32_t>(offered() >> (32 * m_device_features_sel))
                 : 0;
    case kQueueNumMax: return q != nullptr ? Virtqueue::kMaxSize : 0;
    case kQueueReady: return q != nullptr && q->ready ? 1 : 0;
    case kInterruptStatus: return m_isr;
    case kStatus: return m_status;
    case kConfigGeneration: return m_config_generation;
    default: break;
  }
  // No shared memory regions: their length and base read as all ones (4.2.2.1).
  if (offset >= kShmLenLow && offset <= kShmBaseHigh) return 0xffff'ffff;
  return 0;  // write-only and reserved registers
}

void MmioTransport::write(uint64_t offset, unsigned size, uint64_t value) {
  if (offset >= kConfig) {
    if (m_device == nullptr) return;
    const auto at = static_cast<uint32_t>(offset - kConfig);
    if (size == 8) {
      m_device->config_write(at, 4, static_cast<uint32_t>(value));
      m_device->config_write(at + 4, 4, static_cast<uint32_t>(value >> 32));
    } else if (size <= 4) {
      m_device->config_write(at, size, static_cast<uint32_t>(value));
    }
    return;
  }
  if (size != 4 || offset % 4 != 0) {
    TLOG_DEBUG("virtio-mmio: ignored %u-byte write at %#llx", size,
               static_cast<unsigned long long>(offset));
    return;
  }
  write_register(offset, static_cast<uint32_t>(value));
}

void MmioTransport::write_register(uint64_t offset, uint32_t value) {
  switch (offset) {
    case kDeviceFeaturesSel: m_device_features_sel = value; return;
    case kDriverFeaturesSel: m_driver_features_sel = value; return;
    case kDriverFeatures:
      // 3.1.1: features are fixed once FEATURES_OK is set.
      if ((m_status & kStatusFeaturesOk) == 0 && m_driver_features_sel < 2)
        set_half(m_driver_features, m_driver_features_sel == 1, value);
      return;
    case kQueueSel: m_queue_sel = value; return;
    case kQueueNotify: notify(value); return;
    case kInterruptAck:
      m_isr &= ~value;
      m_irq.set(m_isr != 0);
      return;
    case kStatus: write_status(value); return;
    case kShmSel: return;
    default: write_queue_register(offset, value); return;
  }
}

void MmioTransport::write_queue_register(uint64_t offset, uint32_t value) {
  Queue* q = selected();
  if (q == nullptr) return;
  if (offset == kQueueReady) {
    set_ready(*q, value == 1);
    return;
  }
  // 4.2.2.3: the driver programs a queue only while it is not ready.
  if (q->ready) {
    TLOG_DEBUG("virtio-mmio: queue %u register %#llx written while ready: ignored", m_queue_sel,
               static_cast<unsigned long long>(offset));
    return;
  }
  QueueConfig& c = q->config;
  switch (offset) {
    case kQueueNum:
      c.size = value <= Virtqueue::kMaxSize ? static_cast<uint16_t>(value) : 0;
      return;
    case kQueueDescLow: set_half(c.desc, false, value); return;
    case kQueueDescHigh: set_half(c.desc, true, value); return;
    case kQueueDriverLow: set_half(c.driver, false, value); return;
    case kQueueDriverHigh: set_half(c.driver, true, value); return;
    case kQueueDeviceLow: set_half(c.device, false, value); return;
    case kQueueDeviceHigh: set_half(c.device, true, value); return;
    default:
      TLOG_DEBUG("virtio-mmio: ignored write of %#x at %#llx", value,
                 static_cast<unsigned long long>(offset));
      return;
  }
}

void MmioTransport::set_ready(Queue& q, bool ready) {
  q.ready = ready;
  if (!ready) {
    q.vq.stop();
    return;
  }
  // A queue the driver makes ready before DRIVER_OK starts when the device is activated.
  if ((m_status & kStatusDriverOk) == 0 || !m_memory) return;
  if (auto r = q.vq.start(*m_memory, q.config, (m_driver_features & kFIndirectDesc) != 0,
                          (m_driver_features & kFEventIdx) != 0);
      !r) {
    q.ready = false;
    needs_reset("a queue's size or areas are invalid");
  }
}

void MmioTransport::write_status(uint32_t value) {
  if (value == 0) {
    reset();
    return;
  }
  // 2.1.2: the driver never clears a bit; DEVICE_NEEDS_RESET is the device's.
  const uint32_t old = m_status & ~kStatusNeedsReset;
  if ((value & old) != old) {
    TLOG_DEBUG("virtio-mmio: status %#x would clear bits of %#x: ignored", value, m_status);
    return;
  }
  uint32_t next = (value & ~kStatusNeedsReset) | (m_status & kStatusNeedsReset);
  if ((next & kStatusFeaturesOk) != 0 && (old & kStatusFeaturesOk) == 0) {
    // 3.1.1 step 6: refuse features the device did not offer, and a legacy driver (4.2.2:
    // a version 2 transport needs VIRTIO_F_VERSION_1).
    if ((m_driver_features & ~offered()) != 0 || (m_driver_features & kFVersion1) == 0)
      next &= ~kStatusFeaturesOk;
  }
  const bool activate = (next & kStatusDriverOk) != 0 && (old & kStatusDriverOk) == 0;
  if (activate && (next & kStatusFeaturesOk) == 0) {
    needs_reset("DRIVER_OK without FEATURES_OK");
    return;
  }
  m_status = next;
  if (!activate || m_device == nullptr) return;
  m_device->activate(m_driver_features);
  for (unsigned i = 0; i < queue_count(); i++)
    if (m_queues[i].ready) set_ready(m_queues[i], true);
}

void MmioTransport::poll_host() {
  if (m_device == nullptr || (m_status & kStatusDriverOk) == 0) return;
  const uint32_t pending = m_device->host_pending();
  for (unsigned i = 0; i < queue_count(); i++)
    if ((pending >> i) & 1) notify(i);
}

void MmioTransport::notify(uint32_t index) {
  if (index >= queue_count()) return;
  Queue& q = m_queues[index];
  if ((m_status & kStatusDriverOk) == 0 || (m_status & kStatusNeedsReset) != 0 || !q.vq.running())
    return;
  if (auto r = m_device->process(index, q.vq); !r) {
    needs_reset("the driver broke a queue's rules");
    return;
  }
  auto want = q.vq.take_interrupt();
  if (!want) {
    needs_reset("the used ring is not guest RAM");
    return;
  }
  if (*want) interrupt(kIsrUsedBuffer);
}

void MmioTransport::needs_reset(const char* why) {
  TLOG_DEBUG("virtio-mmio: %s: DEVICE_NEEDS_RESET", why);
  m_status |= kStatusNeedsReset;
  for (Queue& q : m_queues) q.vq.stop();
  // 2.1.2: a driver that is running hears of it through a configuration change.
  if ((m_status & kStatusDriverOk) != 0) interrupt(kIsrConfigChange);
}

void MmioTransport::interrupt(uint32_t bits) {
  m_isr |= bits;
  m_irq.set(m_isr != 0);
}

void MmioTransport::reset() {
  if (m_device != nullptr) m_device->reset();
  for (Queue& q : m_queues) {
    q.vq.stop();
    q = Queue{};
  }
  m_driver_features = 0;
  m_device_features_sel = 0;
  m_driver_features_sel = 0;
  m_queue_sel = 0;
  m_status = 0;
  m_isr = 0;
  m_irq.set(false);
}

// virtio 1.2 4.2.2, table "MMIO Device Register Layout"; device configuration bytes are
// Config[offset].
bool MmioTransport::register_name(uint64_t offset, bool write, RegisterName& out) const {
  static constexpr RegisterEntry kRegs[] = {
      {kMagicValue, 4, "MagicValue"},
      {kVersion, 4, "Version"},
      {kDeviceId, 4, "DeviceID"},
      {kVendorId, 4, "VendorID"},
      {kDeviceFeatures, 4, "DeviceFeatures"},
      {kDeviceFeaturesSel, 4, "DeviceFeaturesSel"},
      {kDriverFeatures, 4, "DriverFeatures"},
      {kDriverFeaturesSel, 4, "DriverFeaturesSel"},
      {kQueueSel, 4, "QueueSel"},
      {kQueueNumMax, 4, "QueueNumMax"},
      {kQueueNum, 4, "QueueNum"},
      {kQueueReady, 4, "QueueReady"},
      {kQueueNotify, 4, "QueueNotify"},
      {kInterruptStatus, 4, "InterruptStatus"},
      {kInterruptAck, 4, "InterruptACK"},
      {kStatus, 4, "Status"},
      {kQueueDescLow, 4, "QueueDescLow"},
      {kQueueDescHigh, 4, "QueueDescHigh"},
      {kQueueDriverLow, 4, "QueueDriverLow"},
      {kQueueDriverHigh, 4, "QueueDriverHigh"},
      {kQueueDeviceLow, 4, "QueueDeviceLow"},
      {kQueueDeviceHigh, 4, "QueueDeviceHigh"},
      {kShmSel, 4, "SHMSel"},
      {kShmLenLow, 4, "SHMLenLow"},
      {kShmLenLow + 4, 4, "SHMLenHigh"},
      {kShmBaseHigh - 4, 4, "SHMBaseLow"},
      {kShmBaseHigh, 4, "SHMBaseHigh"},
      {0x0c0, 4, "QueueReset"},
      {kConfigGeneration, 4, "ConfigGeneration"},
  };
  if (offset >= kConfig && offset < 0x1000)
    return out.set_format("Config[%#x]", static_cast<unsigned>(offset - kConfig));
  return name_from_table(kRegs, offset, write, out);
}

}  // namespace tandem::virtio

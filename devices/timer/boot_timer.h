// SPDX-License-Identifier: Apache-2.0
// Boot timer, as Firecracker's and Cloud Hypervisor's: a guest write of 123 to offset 0 marks
// "the guest reached here". The device takes the time since its construction (VM creation) from
// the clock it was given, logs "guest boot time: N us" at info level and keeps the value. Only
// the first such write counts; reads return 0, and other values, offsets and later writes are
// ignored (debug log).
#pragma once

#include <cstdint>

#include "core/bus/device.h"

namespace tandem {

class BootTimer final : public Device {
 public:
  using Clock = uint64_t (*)();            // nanoseconds, monotonic
  static constexpr uint64_t kMagic = 123;  // Firecracker's MAGIC_VALUE_SIGNAL_GUEST_BOOT_COMPLETE

  explicit BootTimer(Clock now_ns) : m_now_ns(now_ns), m_start_ns(now_ns()) {}
  BootTimer(const BootTimer&) = delete;
  BootTimer& operator=(const BootTimer&) = delete;

  const char* name() const override { return "boot_timer"; }
  uint64_t read(uint64_t offset, unsigned size) override;
  void write(uint64_t offset, unsigned size, uint64_t value) override;
  bool register_name(uint64_t offset, bool write, RegisterName& out) const override;

  bool reported() const { return m_reported; }
  uint64_t boot_time_ns() const { return m_boot_time_ns; }

 private:
  Clock m_now_ns;
  uint64_t m_start_ns;
  uint64_t m_boot_time_ns = 0;
  bool m_reported = false;
};

}  // namespace tandem

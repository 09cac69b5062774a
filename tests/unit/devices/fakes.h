// SPDX-License-Identifier: Apache-2.0
// Test doubles shared by the device tests.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/irq/irq_line.h"
#include "core/vm/power.h"
#include "devices/char_sink.h"

namespace tandem::test {

class StringSink final : public CharSink {
 public:
  void put(uint8_t c) override { out.push_back(static_cast<char>(c)); }
  std::string out;
};

class FakePower final : public PowerControl {
 public:
  void system_off(int status) override { offs.push_back(status); }
  void system_reset() override { ++resets; }
  std::vector<int> offs;
  int resets = 0;
};

// Remembers every level change per IRQ number.
class FakeIrqController final : public IrqController {
 public:
  void set_irq_level(uint32_t irq, bool level) override {
    last_irq = irq;
    level_now = level;
    ++changes;
  }
  uint32_t last_irq = ~0u;
  bool level_now = false;
  int changes = 0;
};

}  // namespace tandem::test

// SPDX-License-Identifier: Apache-2.0
// SiFive test finisher, as QEMU's riscv virt board has it at 0x100000 (hw/misc/sifive_test.c):
// a write to offset 0 of
//   0x5555               powers off with status 0 (FINISHER_PASS),
//   0x3333 | code << 16  powers off with status `code` (FINISHER_FAIL),
//   0x7777               resets (FINISHER_RESET).
// Reads return 0. Other values, offsets and widths are logged and ignored.
#pragma once

#include <cstdint>

#include "core/bus/device.h"
#include "core/vm/power.h"

namespace tandem {

class SifiveTest final : public Device {
 public:
  static constexpr uint64_t kSize = 0x1000;
  static constexpr uint32_t kFinisherFail = 0x3333;
  static constexpr uint32_t kFinisherPass = 0x5555;
  static constexpr uint32_t kFinisherReset = 0x7777;

  explicit SifiveTest(PowerControl& power) : m_power(power) {}
  SifiveTest(const SifiveTest&) = delete;
  SifiveTest& operator=(const SifiveTest&) = delete;

  const char* name() const override { return "sifive_test"; }
  uint64_t read(uint64_t offset, unsigned size) override;
  void write(uint64_t offset, unsigned size, uint64_t value) override;
  bool register_name(uint64_t offset, bool write, RegisterName& out) const override;

 private:
  PowerControl& m_power;
};

}  // namespace tandem

// SPDX-License-Identifier: Apache-2.0
// A CpuControl for firmware-interface tests: vCPU states in an array, calls recorded.
#pragma once

#include <cstdint>
#include <vector>

#include "core/vcpu/cpu_control.h"

namespace tandem::test {

class FakeCpus final : public CpuControl {
 public:
  struct OnCall {
    unsigned caller;
    uint64_t target, entry, context;
  };

  explicit FakeCpus(unsigned count) : states(count, CpuPowerState::kOff) {
    states[0] = CpuPowerState::kOn;
  }

  CpuOnResult cpu_on(unsigned caller, uint64_t target, uint64_t entry, uint64_t context) override {
    on_calls.push_back({caller, target, entry, context});
    if (forced) return *forced;
    if (target >= states.size()) return CpuOnResult::kNoSuchCpu;
    if (states[target] != CpuPowerState::kOff) return CpuOnResult::kAlreadyOn;
    states[target] = CpuPowerState::kStarting;
    return CpuOnResult::kOk;
  }
  void cpu_off(unsigned caller) override {
    off_calls.push_back(caller);
    states[caller] = CpuPowerState::kOff;
  }
  CpuPowerState cpu_state(uint64_t target) const override {
    return target < states.size() ? states[target] : CpuPowerState::kOff;
  }
  unsigned cpu_count() const override { return static_cast<unsigned>(states.size()); }

  std::vector<CpuPowerState> states;
  std::vector<OnCall> on_calls;
  std::vector<unsigned> off_calls;
  const CpuOnResult* forced = nullptr;  // answer every cpu_on with this
};

}  // namespace tandem::test

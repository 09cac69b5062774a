// SPDX-License-Identifier: Apache-2.0
// Why a VM stopped. Filled by exit devices, PSCI/SBI and fault reports; read by the program that
// runs the VM (the CLI turns it into the process status and a one-line message).
#pragma once

#include <cstdint>

#include "core/vcpu/exit.h"
#include "core/vm/power.h"

namespace tandem {

enum class StopKind : unsigned char {
  kRunning,   // not stopped
  kPowerOff,  // the guest powered off with `status`
  kReset,     // the guest asked for a reset (treated as a stop until reset is supported)
  kFault,     // the guest did something the VM cannot continue from; see `message`
  kError,     // the backend failed; see `message`
  kTimeout,   // the host stopped the VM (time limit); see `message`
};

struct StopInfo final : PowerControl {
  StopKind kind = StopKind::kRunning;
  int status = 0;
  char message[256] = {};

  void system_off(int exit_status) override {
    if (kind != StopKind::kRunning) return;  // the first reason wins
    kind = StopKind::kPowerOff;
    status = exit_status;
  }
  void system_reset() override {
    if (kind == StopKind::kRunning) kind = StopKind::kReset;
  }
  // The exit a backend's run() returns once the VM has stopped: kSystemDown with the status,
  // kSystemReset, or kFault with `message` as the reason. `pc` is where the vCPU stands.
  VcpuExit as_exit(uint64_t pc) const;

  // printf-style message; see core/base/format.h.
  void set_fault(StopKind k, const char* fmt, ...) __attribute__((format(printf, 3, 4)));
};

}  // namespace tandem

// SPDX-License-Identifier: Apache-2.0
// How a device or firmware call ends the VM: exit devices (sifive_test, isa-debug-exit), PSCI
// SYSTEM_OFF/RESET and SBI SRST call into this; the VM records the request and stops its vCPUs
// at the next exit boundary, so the call itself returns normally.
#pragma once

namespace tandem {

class PowerControl {
 public:
  // Power the VM off; `status` becomes the VM's exit status (0 = success).
  virtual void system_off(int status) = 0;
  virtual void system_reset() = 0;

 protected:
  ~PowerControl() = default;
};

}  // namespace tandem

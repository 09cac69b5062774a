// SPDX-License-Identifier: Apache-2.0
// Console input for runs that must repeat exactly (`tandem run --record / --replay`): the VM
// calls pump() on the thread that runs its vCPUs, between their slices and before it moves its
// input queue into the console device, and the pump fills the queue there (from the host's
// input while recording, from the record while replaying). Bytes then reach the guest at the
// same instruction whenever the run is repeated, which bytes pushed by the host's reader thread
// at any moment never do.
#pragma once

namespace tandem {

class InputPump {
 public:
  virtual void pump() = 0;

 protected:
  ~InputPump() = default;
};

}  // namespace tandem

// SPDX-License-Identifier: Apache-2.0
// Where the host-backed devices of a recorded or replayed run (cli/recorded_devices.h) put and
// find what they get from the host: `tandem run --record / --replay` (cli/record_replay.h).
// Each device has a channel of its own ("rng", "disk0"...), its inputs in the order it asked.
#pragma once

#include <cstddef>
#include <optional>
#include <string>

namespace tandem::cli {

// What a device got from the host: bytes (none for an operation that only succeeds or fails),
// or the host's failure.
struct DeviceInput {
  bool ok = true;
  std::string bytes;
};

class DeviceLog {
 public:
  virtual bool replaying() const = 0;
  // Recording: what the device on `channel` got from the host, now.
  virtual void record_device(const std::string& channel, const DeviceInput& input) = 0;
  // Replaying: the next input of `channel`, which must have been recorded at this point of the
  // run and, when it succeeded, hold `size` bytes (any number: kAnySize); nullopt after
  // stopping the VM as diverged.
  static constexpr size_t kAnySize = ~size_t{0};
  virtual std::optional<DeviceInput> replay_device(const std::string& channel, size_t size) = 0;
  // Replaying: whether the next input of `channel` was recorded at this point of the run (a
  // network's frames come when they came, not when the device asks).
  virtual bool input_due(const std::string& channel) = 0;

 protected:
  ~DeviceLog() = default;
};

}  // namespace tandem::cli

// SPDX-License-Identifier: Apache-2.0
// The virtio devices of `tandem run`, in QEMU users' words: `--drive file=disk.img[,readonly]`
// (repeatable), `--rng`, `--console virtio`, `--nic user,...` (repeatable; cli/nic_option.h).
// The devices take the board's virtio-mmio transports in that order: drives as given, then the
// entropy device, the console, then the network devices as given.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli/nic_option.h"
#include "devices/char_sink.h"

namespace tandem::virtio {
class VirtioDevice;
}

namespace tandem::cli {

class DeviceLog;

struct DriveSpec {
  std::string file;
  bool read_only = false;
};

struct VirtioOptions {
  std::vector<DriveSpec> drives;
  bool rng = false;
  bool console = false;  // --console virtio: a virtio console (Linux's hvc0) beside the UART
  std::vector<NicSpec> nics;
};

// QEMU's -drive syntax, the parts Tandem has: file=PATH (required), readonly[=on|off],
// format=raw, if=virtio. nullopt with a one-line reason in `error` for anything else.
std::optional<DriveSpec> parse_drive(const std::string& text, std::string& error);

// The MAC of the `n`th --nic (from 0): its mac=, else QEMU's default 52:54:00:12:34:56 counting
// up for each further NIC.
std::array<uint8_t, 6> nic_mac(const NicSpec& nic, size_t n);

// The devices and what backs them on this host, alive as long as the VM.
class VirtioSet {
 public:
  // Opens every drive and starts every network; null with the reason printed when one cannot
  // be used. A virtio console writes to `console` (the VM's console sink); a network calls
  // `wake` (from its own thread) when frames arrive for the guest. Under --record / --replay
  // (`record`), disks and entropy go through the record (cli/recorded_devices.h).
  static std::unique_ptr<VirtioSet> create(const VirtioOptions& opts, CharSink& console,
                                           const std::function<void()>& wake,
                                           DeviceLog* record = nullptr);
  ~VirtioSet();
  const std::vector<virtio::VirtioDevice*>& devices() const { return m_devices; }

 private:
  struct Parts;
  VirtioSet();
  std::unique_ptr<Parts> m_parts;
  std::vector<virtio::VirtioDevice*> m_devices;
};

}  // namespace tandem::cli

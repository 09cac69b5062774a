// SPDX-License-Identifier: Apache-2.0
#include "cli/virtio_options.h"

#include <spdlog/spdlog.h>

#include <deque>

#include "backends/hosted/file_block_storage.h"
#include "backends/hosted/host_entropy.h"
#include "backends/hosted/slirp_net.h"
#include "cli/console_sink.h"
#include "cli/option_items.h"
#include "cli/recorded_devices.h"
#include "devices/virtio/block.h"
#include "devices/virtio/console.h"
#include "devices/virtio/entropy.h"
#include "devices/virtio/net.h"

namespace tandem::cli {

std::optional<DriveSpec> parse_drive(const std::string& text, std::string& error) {
  DriveSpec spec;
  bool have_file = false;
  for (const OptionItem& it : option_items(text)) {
    const std::string& key = it.key;
    const std::string& value = it.value;
    if (key == "file" && !value.empty()) {
      spec.file = value;
      have_file = true;
    } else if (key == "readonly" && (!it.has_value || value == "on" || value == "off")) {
      spec.read_only = value != "off";
    } else if ((key == "format" && value == "raw") || (key == "if" && value == "virtio")) {
      // what Tandem does anyway
    } else {
      error = "--drive '";
      error += text;
      error += "': '";
      error += it.text;
      error += "' is not understood (file=PATH[,readonly][,format=raw][,if=virtio])";
      return std::nullopt;
    }
  }
  if (!have_file) {
    error = "--drive '" + text + "': no file=PATH given";
    return std::nullopt;
  }
  return spec;
}

std::array<uint8_t, 6> nic_mac(const NicSpec& nic, size_t n) {
  if (nic.mac) return *nic.mac;
  return {0x52, 0x54, 0x00, 0x12, 0x34, static_cast<uint8_t>(0x56 + n)};
}

struct VirtioSet::Parts {
  std::deque<std::unique_ptr<hosted::FileBlockStorage>> storage;
  std::deque<RecordedBlockStorage> recorded_storage;
  std::deque<virtio::Block> blocks;
  hosted::HostEntropy entropy_source;
  std::optional<RecordedEntropy> recorded_entropy;
  std::optional<virtio::Entropy> entropy;
  std::optional<virtio::Console> console;
  std::deque<std::unique_ptr<hosted::SlirpNet>> networks;
  std::deque<RecordedNet> recorded_networks;
  std::deque<virtio::Net> nics;
};

VirtioSet::VirtioSet() : m_parts(std::make_unique<Parts>()) {}
VirtioSet::~VirtioSet() = default;

std::unique_ptr<VirtioSet> VirtioSet::create(const VirtioOptions& opts, CharSink& console,
                                             const std::function<void()>& wake, DeviceLog* record) {
  std::unique_ptr<VirtioSet> set(new VirtioSet());
  Parts& p = *set->m_parts;
  const bool replaying = record != nullptr && record->replaying();
  for (const DriveSpec& d : opts.drives) {
    std::string error;
    // A replay never changes the image (cli/recorded_devices.h).
    auto storage = hosted::FileBlockStorage::open(d.file, d.read_only || replaying, error);
    if (!storage) {
      spdlog::error("--drive: {}", error);
      return nullptr;
    }
    virtio::BlockStorage* disk = storage.get();
    if (record != nullptr)
      disk = &p.recorded_storage.emplace_back(*storage, d.read_only, *record,
                                              "disk" + std::to_string(p.storage.size()));
    set->m_devices.push_back(&p.blocks.emplace_back(*disk));
    p.storage.push_back(std::move(storage));
  }
  if (opts.rng) {
    virtio::EntropySource* source = &p.entropy_source;
    if (record != nullptr) source = &p.recorded_entropy.emplace(p.entropy_source, *record);
    set->m_devices.push_back(&p.entropy.emplace(*source));
  }
  if (opts.console) set->m_devices.push_back(&p.console.emplace(console));
  for (size_t n = 0; n < opts.nics.size(); n++) {
    virtio::NetBackend* network = nullptr;
    if (!replaying) {  // a replay's frames come from the record (cli/recorded_devices.h)
      std::string error;
      auto slirp = hosted::SlirpNet::create(opts.nics[n].forwards, wake, error);
      if (!slirp) {
        spdlog::error("--nic: {}", error);
        return nullptr;
      }
      network = p.networks.emplace_back(std::move(slirp)).get();
    }
    if (record != nullptr)
      network = &p.recorded_networks.emplace_back(network, *record, "net" + std::to_string(n));
    const std::array<uint8_t, 6> mac = nic_mac(opts.nics[n], n);
    uint8_t bytes[6];
    std::copy(mac.begin(), mac.end(), bytes);
    set->m_devices.push_back(&p.nics.emplace_back(*network, bytes));
  }
  return set;
}

}  // namespace tandem::cli

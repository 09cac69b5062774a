// SPDX-License-Identifier: Apache-2.0
#include "cli/virtio_options.h"

#include <spdlog/spdlog.h>

#include <deque>

#include "backends/hosted/file_block_storage.h"
#include "backends/hosted/host_entropy.h"
#include "cli/console_sink.h"
#include "devices/virtio/block.h"
#include "devices/virtio/console.h"
#include "devices/virtio/entropy.h"

namespace tandem::cli {

std::optional<DriveSpec> parse_drive(const std::string& text, std::string& error) {
  DriveSpec spec;
  bool have_file = false;
  size_t at = 0;
  while (at <= text.size()) {
    size_t end = text.find(',', at);
    if (end == std::string::npos) end = text.size();
    const std::string item = text.substr(at, end - at);
    at = end + 1;
    const size_t eq = item.find('=');
    const std::string key = item.substr(0, eq);
    const std::string value = eq == std::string::npos ? "" : item.substr(eq + 1);
    if (key == "file" && !value.empty()) {
      spec.file = value;
      have_file = true;
    } else if (key == "readonly" && (eq == std::string::npos || value == "on" || value == "off")) {
      spec.read_only = value != "off";
    } else if ((key == "format" && value == "raw") || (key == "if" && value == "virtio")) {
      // what Tandem does anyway
    } else {
      error = "--drive '";
      error += text;
      error += "': '";
      error += item;
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

struct VirtioSet::Parts {
  std::deque<std::unique_ptr<hosted::FileBlockStorage>> storage;
  std::deque<virtio::Block> blocks;
  hosted::HostEntropy entropy_source;
  std::optional<virtio::Entropy> entropy;
  std::optional<virtio::Console> console;
};

VirtioSet::VirtioSet() : m_parts(std::make_unique<Parts>()) {}
VirtioSet::~VirtioSet() = default;

std::unique_ptr<VirtioSet> VirtioSet::create(const VirtioOptions& opts, CharSink& console) {
  std::unique_ptr<VirtioSet> set(new VirtioSet());
  Parts& p = *set->m_parts;
  for (const DriveSpec& d : opts.drives) {
    std::string error;
    auto storage = hosted::FileBlockStorage::open(d.file, d.read_only, error);
    if (!storage) {
      spdlog::error("--drive: {}", error);
      return nullptr;
    }
    set->m_devices.push_back(&p.blocks.emplace_back(*storage));
    p.storage.push_back(std::move(storage));
  }
  if (opts.rng) set->m_devices.push_back(&p.entropy.emplace(p.entropy_source));
  if (opts.console) set->m_devices.push_back(&p.console.emplace(console));
  return set;
}

}  // namespace tandem::cli

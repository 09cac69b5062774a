// SPDX-License-Identifier: Apache-2.0
#include "cli/deterministic.h"

#include <spdlog/spdlog.h>

#include <cstdio>
#include <filesystem>

#include "backends/emu/emu_icount.h"
#include "cli/virtio_options.h"

namespace tandem::cli {

std::optional<unsigned> parse_icount_shift(const std::string& text) {
  if (text.empty() || text.size() > 2 || text.find_first_not_of("0123456789") != std::string::npos)
    return std::nullopt;
  const unsigned value = static_cast<unsigned>(std::stoul(text));
  if (value > emu::kMaxIcountShift) return std::nullopt;
  return value;
}

bool deterministic_alone(const RunOptions& opts, size_t vm_count, bool api_socket) {
  if (!opts.icount || (vm_count == 1 && !api_socket)) return true;
  spdlog::error(
      "--icount: guest time is the instruction count of the only VM of a run; this run has {}",
      vm_count > 1 ? "several VMs" : "a control socket (--api-socket)");
  return false;
}

bool start_deterministic(const RunOptions& opts, Arch arch) {
  if (!opts.icount) return true;
  if (opts.backend != Backend::kEmu) {
    spdlog::error("--icount: the instruction count is the emu backend's (--backend emu)");
    return false;
  }
  if (arch == Arch::kX86_64) {
    spdlog::error(
        "--icount: x86_64 guests on the emu backend have no timers or interrupts (Unicorn cannot "
        "deliver them), so nothing there depends on time; --icount is for aarch64 and riscv64");
    return false;
  }
  if (!emu::enable_icount(opts.icount_shift)) {
    spdlog::error("--icount-shift {}: at most {}", opts.icount_shift, emu::kMaxIcountShift);
    return false;
  }
  return true;
}

std::unique_ptr<RecordReplay> open_record(const RunOptions& opts, Arch arch, uint64_t guest_hash,
                                          RecordTarget target) {
  RecordIdentity id;
  id.arch = arch;
  id.icount_shift = opts.icount_shift;
  id.guest_hash = guest_hash;
  id.options = "mem=" + std::to_string(opts.mem_bytes) +
               " machine=" + (opts.machine.empty() ? "default" : opts.machine) +
               " console=" + (opts.virtio.console ? "virtio" : "uart") +
               " rng=" + (opts.virtio.rng ? "on" : "off");
  // What the guest sees of each disk: its size, whether it may write, its serial number (the
  // file's name); not its contents, which the record holds (cli/recorded_devices.h).
  for (const DriveSpec& d : opts.virtio.drives) {
    std::error_code error;
    const auto size = std::filesystem::file_size(d.file, error);
    id.options += " drive=" + std::filesystem::path(d.file).filename().string() + ":" +
                  (error ? std::string("?") : std::to_string(size)) + (d.read_only ? ":ro" : "");
  }
  for (size_t n = 0; n < opts.virtio.nics.size(); n++) {
    char mac[18];
    const auto b = nic_mac(opts.virtio.nics[n], n);
    std::snprintf(mac, sizeof mac, "%02x:%02x:%02x:%02x:%02x:%02x", b[0], b[1], b[2], b[3], b[4],
                  b[5]);
    id.options += std::string(" nic=") + mac;
  }
  if (!opts.record.empty()) return RecordReplay::record(opts.record, id, std::move(target));
  return RecordReplay::replay(opts.replay, id, std::move(target));
}

}  // namespace tandem::cli

// SPDX-License-Identifier: Apache-2.0
// `--record FILE` / `--replay FILE` (emu, on --icount's clock: backends/emu/emu_icount.h).
//
// With the instruction count as guest time, the only input a run does not repeat by itself is
// the host's console input. Recording, the host's bytes wait in a queue of their own and reach
// the VM only between vCPU slices (core/vm/input_pump.h), each batch written to FILE with the
// count and the number of exits so far (the key: several slice ends can share a count, none
// shares both). Replaying, FILE's batches go in at the same keys and the host's input is
// dropped. Every exit (kind, address, width, value, pc, count) is folded into a hash, written
// every kCheckEvery exits and at the end with how the VM stopped; a replay compares as it goes
// and stops at the first difference, naming the exit, its count and pc ("diverged").
//
// FILE is text: a header (format version, architecture, --icount-shift, a hash of the guest's
// files and command line, the options that change what the guest sees), then `input`,
// `check` and `end` lines, then a checksum of everything before it, so a truncated, edited or
// foreign file is refused with a message before anything runs.
//
// Host-backed devices (cli/recorded_devices.h) put what they get from the host in the record
// too, as `dev` lines on a channel of their own ("rng", "disk0", "net0"...): the bytes (or the
// host's failure) with the count and exits at which the device asked. A replay gives each device
// its channel's next input without asking the host, and stops as diverged when the device asks at
// another count or exit or for another size.
#pragma once

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli/device_log.h"
#include "core/base/arch.h"
#include "core/base/byte_queue.h"
#include "core/vm/input_pump.h"
#include "core/vm/stop.h"
#include "core/vm/vm_exits.h"

namespace tandem::cli {

// What a record is valid for: a replay must match all of it.
struct RecordIdentity {
  Arch arch = Arch::kAarch64;
  unsigned icount_shift = 0;
  uint64_t guest_hash = 0;  // the guest's files, command line and device tree
  std::string options;      // the options that change what the guest sees, as words
};

// The VM a record or replay drives.
struct RecordTarget {
  std::function<bool(uint8_t)> push;         // into the VM's console input queue
  std::function<void(bool)> set_input_open;  // the VM's view of whether input may still come
  StopInfo* stop = nullptr;                  // where a divergence stops the VM
  ExitTracer* trace = nullptr;               // --trace's lines (null: none)
  bool trace_mmio_only = false;
};

class RecordReplay final : public InputPump, public ExitTracer, public DeviceLog {
 public:
  static constexpr uint64_t kCheckEvery = 256;

  // Recording into `path` (created or truncated) / replaying `path`; nullptr after printing
  // why (the file cannot be written or read; a replay's file is truncated, corrupt, of another
  // format version or made for another guest or options).
  static std::unique_ptr<RecordReplay> record(const std::string& path, const RecordIdentity& id,
                                              RecordTarget target);
  static std::unique_ptr<RecordReplay> replay(const std::string& path, const RecordIdentity& id,
                                              RecordTarget target);
  ~RecordReplay();
  RecordReplay(const RecordReplay&) = delete;
  RecordReplay& operator=(const RecordReplay&) = delete;

  // The host's console (any thread). Recording: queued for the next pump(); replaying: dropped.
  bool push(uint8_t c);
  void set_input_open(bool open);

  // --trace's lines, once the writer exists (`trace` null: none).
  void set_trace(ExitTracer* trace, bool mmio_only);

  // DeviceLog: inputs keyed by the count and the exits so far.
  bool replaying() const override { return m_replaying; }
  void record_device(const std::string& channel, const DeviceInput& input) override;
  std::optional<DeviceInput> replay_device(const std::string& channel, size_t size) override;
  bool input_due(const std::string& channel) override;

  void pump() override;                                  // the vCPUs' thread, between slices
  void trace(unsigned cpu, const VcpuExit& e) override;  // every exit, on the vCPUs' thread

  // After the run: recording writes the end and the checksum; replaying compares the end with
  // the record's. A message when they differ (or the file could not be written).
  std::optional<std::string> finish(const StopInfo& stop);

 private:
  struct Input {
    uint64_t count;
    uint64_t exits;
    std::string bytes;
  };
  struct Check {
    uint64_t exits;
    uint64_t count;
    uint64_t hash;
  };
  struct DeviceEntry {
    uint64_t count;
    uint64_t exits;
    DeviceInput input;
  };
  struct Channel {
    std::vector<DeviceEntry> entries;
    size_t next = 0;
  };
  struct End {
    uint64_t count = 0;
    uint64_t exits = 0;
    uint64_t hash = 0;
    int kind = 0;
    int status = 0;
  };

  RecordReplay(RecordTarget target, bool replaying)
      : m_target(std::move(target)), m_replaying(replaying) {}
  void write_line(const std::string& line);
  void diverged(const std::string& what);
  void check_replay(const VcpuExit& e, uint64_t count);
  bool parse_device(const std::string& line);
  bool devices_done() const;

  RecordTarget m_target;
  const bool m_replaying;
  // Recording.
  std::FILE* m_out = nullptr;
  uint64_t m_sum = 0;  // of every byte written
  bool m_write_failed = false;
  ByteQueue<4096> m_host;  // the host's input, until the next pump()
  std::atomic<bool> m_host_open{true};
  bool m_closed = false;  // the VM was told input has ended
  // Replaying.
  std::vector<Input> m_inputs;
  std::vector<Check> m_checks;
  End m_end;
  size_t m_next_input = 0;
  size_t m_next_check = 0;
  std::map<std::string, Channel> m_channels;
  bool m_diverged = false;
  // Both.
  uint64_t m_exits = 0;
  uint64_t m_hash = 0;
};

// FNV-1a 64 of `bytes`, continuing from `hash` (start: kFnvBasis).
inline constexpr uint64_t kFnvBasis = 0xcbf29ce484222325ull;
uint64_t fnv1a(uint64_t hash, const void* bytes, size_t size);

}  // namespace tandem::cli

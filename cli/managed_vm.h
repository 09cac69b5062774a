// SPDX-License-Identifier: Apache-2.0
// One VM as the `tandem` program drives it, whatever its backend: built by create_vm() from
// run options (run_command.cpp), run on a thread of its own, paused, resumed and stopped from
// others (console input, the time limit, the control socket).
#pragma once

#include <cstdint>
#include <memory>

#include "cli/options.h"
#include "core/vcpu/exit.h"
#include "core/vm/stop.h"
#include "devices/char_sink.h"

namespace tandem::cli {

class ManagedVm {
 public:
  virtual ~ManagedVm() = default;

  // Runs the guest on the calling thread until it stops or request_stop() is called.
  virtual const StopInfo& run() = 0;
  // Thread-safe.
  virtual void request_stop() = 0;
  virtual void pause() = 0;
  virtual void resume() = 0;
  // Console input: false when the guest's queue is full (offer the byte again later).
  virtual bool push_input(uint8_t c) = 0;
  virtual void notify_input() = 0;
  virtual void set_input_open(bool open) = 0;
  virtual uint64_t exit_count(ExitKind kind) = 0;
  // The guest's own time in seconds: since the VM was built, time paused left out.
  virtual double guest_seconds() const = 0;
  virtual Arch arch() const = 0;
};

// Reads the guest files, checks the options against the backend and builds the VM with its
// console on `console` (which must outlive it). Null after printing why; `status` is then the
// process status to report (2: bad options or guest file; 0: --dump-dtb done).
std::unique_ptr<ManagedVm> create_vm(const RunOptions& opts, CharSink& console, int& status);

// The process status for how a VM stopped: the guest's own, 124 (time limit), 125 (a fault).
int stop_status(const StopInfo& stop);
// stop_status() after printing the reason on stderr, each line starting with `prefix`.
int report_stop(const StopInfo& stop, const char* prefix);

}  // namespace tandem::cli

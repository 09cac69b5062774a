// SPDX-License-Identifier: Apache-2.0
// The VMs of one `tandem run`: each is built from its own options (a command line or a config
// file), has its own address space, devices, console and exit status, and runs on a thread of
// its own (several emu VMs share the host's CPUs through the host scheduler; the engines of
// different VMs share no memory, so they may run in parallel: ../shared/docs/UNICORN.md).
// A VM that faults stops alone. The keyboard goes to one VM at a time (Ctrl-A n: the next).
// The control socket (api_server.h) calls the thread-safe functions below.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "cli/managed_vm.h"
#include "cli/options.h"

namespace tandem::cli {

enum class VmState { kCreated, kRunning, kPaused, kStopped };
const char* to_string(VmState s);

struct VmInfo {
  std::string name;
  VmState state = VmState::kCreated;
  int status = -1;      // once stopped: its process status (see report_stop)
  std::string reason;   // once stopped: why
  std::string guest;    // the guest image
  std::string console;  // where its console goes
  Arch arch = Arch::kAarch64;
  unsigned cpus = 1;
  uint64_t mem_bytes = 0;
  unsigned resets = 0;       // how often `reset` restarted it
  double run_seconds = 0;    // time it has run, pauses left out (since its last start or reset)
  double guest_seconds = 0;  // the guest's clock: the same span as the guest counts it
  uint64_t exits[kExitKindCount] = {};  // exits by kind (since its last start or reset)
};

class VmGroup {
 public:
  VmGroup();
  VmGroup(const VmGroup&) = delete;
  VmGroup& operator=(const VmGroup&) = delete;
  ~VmGroup();

  // Builds a VM (not started): 0, else the process status for the failure with `error` set
  // (details on stderr).
  int add(RunOptions opts, std::string& error);
  // Runs every VM added, serves the keyboard and waits: until every VM has stopped, or with
  // `serve` until quit() (a control socket may still add VMs). The process status: one VM's
  // own; for several, the first non-zero status in the order they were added (0 if none).
  int run(bool serve);

  // Thread-safe control, by VM name. Each returns empty on success, else the error.
  std::string start(const std::string& name);
  std::string pause(const std::string& name);
  std::string resume(const std::string& name);
  std::string stop(const std::string& name);
  std::string reset(const std::string& name);
  std::optional<VmInfo> info(const std::string& name);
  std::vector<VmInfo> list();
  void quit();

 private:
  struct Slot;
  Slot* find(const std::string& name);
  // Runs `fn` on the VM named `name` under the lock; an error for an unknown name.
  std::string control(const std::string& name, const std::function<std::string(Slot&)>& fn);
  void start_locked(Slot& s);
  void slot_main(Slot& s);
  VmInfo info_of(Slot& s);
  void start_keyboard();
  bool takes_keyboard(const Slot& s) const;
  bool input_open(const Slot& s) const;
  static void report_time_limit(Slot& s, const std::string& prefix);
  void focus_next();

  std::mutex m_mutex;  // the list, each slot's state, the focus
  std::condition_variable m_changed;
  std::list<Slot> m_slots;  // stable addresses: threads and callbacks keep Slot&
  Slot* m_focus = nullptr;
  bool m_quit = false;
  bool m_user_quit = false;
  bool m_input_open = false;
  std::unique_ptr<class ConsoleInput> m_input;
};

}  // namespace tandem::cli

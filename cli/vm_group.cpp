// SPDX-License-Identifier: Apache-2.0
#include "cli/vm_group.h"

#include <spdlog/spdlog.h>

#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>

#include "cli/commands.h"
#include "cli/console_input.h"
#include "cli/console_sink.h"
#include "cli/console_sinks.h"
#include "cli/socket_console.h"
#include "cli/terminal_mode.h"
#include "cli/watchdog.h"

namespace tandem::cli {
namespace {

using Clock = std::chrono::steady_clock;

std::string describe(const StopInfo& stop) {
  switch (stop.kind) {
    case StopKind::kPowerOff: return "powered off, status " + std::to_string(stop.status & 0xff);
    case StopKind::kReset: return "the guest asked for a reset";
    case StopKind::kTimeout: return stop.message;
    case StopKind::kFault: return std::string("guest fault: ") + stop.message;
    case StopKind::kError:
    case StopKind::kRunning: return std::string("backend failure: ") + stop.message;
  }
  return "unknown";
}

// The VM's console: "stdio", "prefix", "file:PATH" or "socket:PATH" (options.h). Null after
// printing why.
std::shared_ptr<CharSink> open_console(const RunOptions& opts) {
  const std::string& spec = opts.console;
  if (spec == "stdio") return std::make_shared<StdoutSink>();
  if (spec.empty() || spec == "prefix") return std::make_shared<PrefixSink>(opts.name);
  if (spec.rfind("file:", 0) == 0 && spec.size() > 5) {
    std::shared_ptr<CharSink> sink = FileSink::open(spec.substr(5));
    if (!sink) spdlog::error("--console {}: cannot write the file: {}", spec, std::strerror(errno));
    return sink;
  }
  if (spec.rfind("socket:", 0) == 0) {
    std::string why;
    std::shared_ptr<CharSink> sink = SocketConsole::open(spec.substr(7), why);
    if (!sink) spdlog::error("--console {}: cannot listen there: {}", spec, why);
    return sink;
  }
  spdlog::error("--console {}: not a console (stdio, prefix, file:PATH or socket:PATH)", spec);
  return nullptr;
}

}  // namespace

const char* to_string(VmState s) {
  switch (s) {
    case VmState::kCreated: return "created";
    case VmState::kRunning: return "running";
    case VmState::kPaused: return "paused";
    case VmState::kStopped: return "stopped";
  }
  return "unknown";
}

namespace {

std::string is_in(const std::string& name, VmState state) {
  return "VM '" + name + "' is " + to_string(state);
}

}  // namespace

struct VmGroup::Slot {
  RunOptions opts;
  std::shared_ptr<CharSink> sink;  // shared_ptr: CharSink's destructor is protected
  std::unique_ptr<ManagedVm> vm;
  VmState state = VmState::kCreated;
  bool stop_requested = false;
  bool reset_requested = false;
  bool timed_out = false;  // --timeout passed: no restart may follow, whatever stopped the VM
  int status = -1;
  std::string reason;
  unsigned resets = 0;        // restarts from its files: requested or the guest's own
  unsigned guest_resets = 0;  // those the guest asked for
  Clock::duration ran{};      // time run before `since`
  Clock::time_point since;
  std::thread thread;

  double run_seconds() const {
    Clock::duration total = ran;
    if (state == VmState::kRunning) total += Clock::now() - since;
    return std::chrono::duration<double>(total).count();
  }
  void clock_stop() {
    if (state == VmState::kRunning) ran += Clock::now() - since;
  }
};

VmGroup::VmGroup() = default;

VmGroup::~VmGroup() {
  quit();
  for (Slot& s : m_slots) {
    if (s.thread.joinable()) s.thread.join();
    // A socket console's input reaches the VM through this group (not under m_mutex: the
    // console delivers under its own lock and then takes m_mutex).
    if (auto* socket = dynamic_cast<SocketConsole*>(s.sink.get())) socket->stop_input();
  }
}

int VmGroup::add(RunOptions opts, std::string& error) {
  opts.name = vm_name(opts);
  {
    std::lock_guard lock(m_mutex);
    if (find(opts.name) != nullptr) {
      error = "a VM named '" + opts.name + "' exists already";
      return kExitUsage;
    }
  }
  auto sink = open_console(opts);
  if (!sink) {
    error = "the console could not be opened";
    return kExitUsage;
  }
  int status = kExitUsage;
  auto vm = create_vm(opts, *sink, status);
  if (!vm) {
    error = "the VM could not be built (see tandem's messages)";
    return status;
  }
  Slot* slot = nullptr;
  {
    std::lock_guard lock(m_mutex);
    if (find(opts.name) != nullptr) {
      error = "a VM named '" + opts.name + "' exists already";
      return kExitUsage;
    }
    slot = &m_slots.emplace_back();
    slot->opts = std::move(opts);
    slot->sink = std::move(sink);
    slot->vm = std::move(vm);
  }
  // Outside m_mutex: the console delivers under its own lock and then takes m_mutex.
  Slot& s = *slot;
  if (auto* socket = dynamic_cast<SocketConsole*>(s.sink.get())) {
    socket->set_input(
        [this, &s](uint8_t c) {
          std::lock_guard input_lock(m_mutex);
          if (!s.vm || s.state == VmState::kStopped) return true;  // dropped
          return s.vm->push_input(c);
        },
        [this, &s] {
          std::lock_guard input_lock(m_mutex);
          if (s.vm) s.vm->notify_input();
        });
  }
  return 0;
}

VmGroup::Slot* VmGroup::find(const std::string& name) {
  for (Slot& s : m_slots)
    if (s.opts.name == name) return &s;
  return nullptr;
}

bool VmGroup::takes_keyboard(const Slot& s) const {
  return s.opts.console.empty() || s.opts.console == "stdio" || s.opts.console == "prefix";
}

// Whether input may still come: from the keyboard while it is open, from a socket console
// always (a client can connect at any time).
bool VmGroup::input_open(const Slot& s) const {
  return (m_input_open && takes_keyboard(s)) || s.opts.console.rfind("socket:", 0) == 0;
}

void VmGroup::start_locked(Slot& s) {
  s.state = VmState::kRunning;
  s.since = Clock::now();
  s.vm->set_input_open(input_open(s));
  if (m_focus == nullptr && takes_keyboard(s)) m_focus = &s;
  s.thread = std::thread([this, &s] { slot_main(s); });
}

// The limit passed as the guest reset, or while it was being rebuilt: the stop request reached
// a VM that had already stopped, so the time limit is reported here.
void VmGroup::report_time_limit(Slot& s, const std::string& prefix) {
  StopInfo limit;
  limit.set_fault(StopKind::kTimeout, "stopped by the host (time limit)");
  s.status = report_stop(limit, prefix.c_str());
  s.reason = describe(limit);
}

void VmGroup::slot_main(Slot& s) {
  Watchdog watchdog(s.opts.timeout_s, [this, &s] {
    std::lock_guard lock(m_mutex);
    s.timed_out = true;
    s.vm->request_stop();
  });
  std::unique_lock lock(m_mutex);
  for (;;) {
    ManagedVm* vm = s.vm.get();
    lock.unlock();
    const StopInfo& stop = vm->run();
    lock.lock();
    const std::string prefix = s.opts.console != "stdio" ? "[" + s.opts.name + "] " : "";
    // The guest's own reset restarts it as `tandem ctl reset` does, within --reboot-limit.
    const bool reboot = stop.kind == StopKind::kReset && !s.stop_requested && !m_user_quit &&
                        !s.timed_out && !s.opts.no_reboot &&
                        (s.opts.reboot_limit == 0 || s.guest_resets < s.opts.reboot_limit);
    if ((s.reset_requested || reboot) && !m_quit) {
      if (!s.reset_requested) s.guest_resets++;
      s.reset_requested = false;
      lock.unlock();
      int status = kExitUsage;
      auto fresh = create_vm(s.opts, *s.sink, status);  // the guest again, from its files
      lock.lock();
      // Not stopped, nor out of time, while it was being built.
      if (fresh && !s.stop_requested && !s.timed_out && !m_quit) {
        fresh->set_input_open(input_open(s));
        std::swap(s.vm, fresh);
        s.resets++;
        s.state = VmState::kRunning;
        s.ran = {};
        s.since = Clock::now();
        lock.unlock();
        fresh.reset();  // the old VM, outside the lock
        lock.lock();
        continue;
      }
      if (fresh && s.timed_out && !s.stop_requested && !m_quit) {
        report_time_limit(s, prefix);
      } else {
        s.status = fresh ? 0 : status;
        s.reason = fresh ? "stopped by request" : "reset failed: the VM could not be built again";
      }
    } else if (s.stop_requested || m_user_quit) {
      s.status = 0;
      s.reason = m_user_quit ? "terminated by the user (Ctrl-A x)" : "stopped by request";
    } else if (s.timed_out && stop.kind == StopKind::kReset) {
      report_time_limit(s, prefix);
    } else if (stop.kind == StopKind::kReset) {
      s.status = 0;
      s.reason = s.opts.no_reboot
                     ? "the guest reset (--no-reboot)"
                     : "the guest reset after " + std::to_string(s.guest_resets) +
                           " restarts (--reboot-limit " + std::to_string(s.opts.reboot_limit) + ")";
      if (s.opts.console == "stdio") std::fprintf(stderr, "tandem: %s\n", s.reason.c_str());
    } else {
      s.status = report_stop(stop, prefix.c_str());
      s.reason = describe(stop);
    }
    s.clock_stop();
    s.state = VmState::kStopped;
    if (s.opts.console != "stdio")
      std::fprintf(stderr, "tandem: %sstopped: %s (status %d)\n", prefix.c_str(), s.reason.c_str(),
                   s.status);
    if (m_focus == &s) focus_next();
    m_changed.notify_all();
    return;
  }
}

void VmGroup::focus_next() {
  if (m_slots.empty()) return;
  auto it = m_slots.begin();
  if (m_focus != nullptr)
    while (&*it != m_focus) ++it;
  for (size_t n = 0; n < m_slots.size(); n++) {
    if (++it == m_slots.end()) it = m_slots.begin();
    if (takes_keyboard(*it) && it->state != VmState::kStopped) {
      if (m_focus != &*it && m_slots.size() > 1)
        std::fprintf(stderr, "\r\ntandem: keyboard input goes to [%s]\r\n", it->opts.name.c_str());
      m_focus = &*it;
      return;
    }
  }
  m_focus = nullptr;
}

void VmGroup::start_keyboard() {
  if (!m_input_open) return;
  auto input = ConsoleInput::start(
      STDIN_FILENO,
      [this](uint8_t c) {
        std::lock_guard lock(m_mutex);
        if (m_focus == nullptr || m_focus->state == VmState::kStopped) return true;  // dropped
        return m_focus->vm->push_input(c);
      },
      [this] {
        std::lock_guard lock(m_mutex);
        if (m_focus != nullptr) m_focus->vm->notify_input();
      },
      [this] {
        {
          std::lock_guard lock(m_mutex);
          m_user_quit = true;
        }
        quit();
      },
      [this] {
        std::lock_guard lock(m_mutex);
        m_input_open = false;
        for (Slot& s : m_slots)
          if (s.vm) s.vm->set_input_open(input_open(s));
      },
      STDERR_FILENO,
      [this] {
        std::lock_guard lock(m_mutex);
        focus_next();
      });
  if (!input) {
    spdlog::warn("console input unavailable: {}", tandem::to_string(input.error()));
    std::lock_guard lock(m_mutex);
    m_input_open = false;
    for (Slot& s : m_slots)
      if (s.vm) s.vm->set_input_open(input_open(s));
    return;
  }
  m_input = std::move(*input);
}

int VmGroup::run(bool serve) {
  TerminalMode terminal(STDIN_FILENO);
  {
    std::lock_guard lock(m_mutex);
    // Input is open from the start, so a guest that waits for it from its first instruction
    // is not taken for stuck; a background `tandem run ... &` must not read the terminal
    // (SIGTTIN would stop it).
    m_input_open = !TerminalMode::is_background_tty(STDIN_FILENO);
    for (Slot& s : m_slots)
      if (s.state == VmState::kCreated) start_locked(s);
  }
  start_keyboard();
  {
    std::unique_lock lock(m_mutex);
    m_changed.wait(lock, [&] {
      if (m_quit) return true;
      if (serve) return false;
      for (const Slot& s : m_slots)
        if (s.state == VmState::kRunning || s.state == VmState::kPaused) return false;
      return true;
    });
    for (Slot& s : m_slots)
      if (s.state == VmState::kRunning || s.state == VmState::kPaused) {
        s.stop_requested = true;
        s.vm->request_stop();
      }
  }
  m_input.reset();
  for (Slot& s : m_slots)
    if (s.thread.joinable()) s.thread.join();
  std::fflush(stdout);
  std::lock_guard lock(m_mutex);
  if (m_user_quit) {
    std::fprintf(stderr, "tandem: terminated by the user (Ctrl-A x)\n");
    return 0;
  }
  for (const Slot& s : m_slots)
    if (s.state == VmState::kStopped && s.status != 0) return s.status;
  return 0;
}

std::string VmGroup::control(const std::string& name, const std::function<std::string(Slot&)>& fn) {
  std::lock_guard lock(m_mutex);
  Slot* s = find(name);
  if (s == nullptr) return "no VM named '" + name + "'";
  return fn(*s);
}

std::string VmGroup::start(const std::string& name) {
  return control(name, [this](Slot& s) -> std::string {
    if (s.state != VmState::kCreated) return is_in(s.opts.name, s.state);
    start_locked(s);
    return {};
  });
}

std::string VmGroup::pause(const std::string& name) {
  return control(name, [](Slot& s) -> std::string {
    if (s.state != VmState::kRunning) return is_in(s.opts.name, s.state);
    s.vm->pause();
    s.clock_stop();
    s.state = VmState::kPaused;
    return {};
  });
}

std::string VmGroup::resume(const std::string& name) {
  return control(name, [](Slot& s) -> std::string {
    if (s.state != VmState::kPaused) return is_in(s.opts.name, s.state);
    s.vm->resume();
    s.state = VmState::kRunning;
    s.since = Clock::now();
    return {};
  });
}

std::string VmGroup::stop(const std::string& name) {
  return control(name, [this](Slot& s) -> std::string {
    if (s.state == VmState::kStopped) return is_in(s.opts.name, s.state);
    if (s.state == VmState::kCreated) {
      s.state = VmState::kStopped;
      s.status = 0;
      s.reason = "stopped before it started";
      m_changed.notify_all();
      return {};
    }
    s.stop_requested = true;
    s.vm->request_stop();
    return {};
  });
}

std::string VmGroup::reset(const std::string& name) {
  return control(name, [](Slot& s) -> std::string {
    if (s.state != VmState::kRunning && s.state != VmState::kPaused)
      return is_in(s.opts.name, s.state);
    if (s.stop_requested) return "VM '" + s.opts.name + "' is stopping";
    s.reset_requested = true;
    s.vm->request_stop();
    return {};
  });
}

VmInfo VmGroup::info_of(Slot& s) {
  VmInfo info;
  info.name = s.opts.name;
  info.state = s.state;
  info.status = s.status;
  info.reason = s.reason;
  info.guest = s.opts.guest_path;
  info.console = s.opts.console.empty() ? "prefix" : s.opts.console;
  info.arch = s.vm->arch();
  info.cpus = s.opts.cpus;
  info.mem_bytes = s.opts.mem_bytes;
  info.resets = s.resets;
  info.run_seconds = s.run_seconds();
  info.guest_seconds = s.vm->guest_seconds();
  for (unsigned k = 0; k < kExitKindCount; k++)
    info.exits[k] = s.vm->exit_count(static_cast<ExitKind>(k));
  return info;
}

std::optional<VmInfo> VmGroup::info(const std::string& name) {
  std::lock_guard lock(m_mutex);
  Slot* s = find(name);
  if (s == nullptr) return std::nullopt;
  return info_of(*s);
}

std::vector<VmInfo> VmGroup::list() {
  std::lock_guard lock(m_mutex);
  std::vector<VmInfo> out;
  for (Slot& s : m_slots) out.push_back(info_of(s));
  return out;
}

void VmGroup::quit() {
  std::lock_guard lock(m_mutex);
  m_quit = true;
  m_changed.notify_all();
}

}  // namespace tandem::cli

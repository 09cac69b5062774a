// SPDX-License-Identifier: Apache-2.0
// What the GDB stub asks of a backend: registers by their index in the architecture's target
// description (gdb_arch.h), guest memory by virtual address (the vCPU's own page tables) and
// by physical address, break- and watchpoints. The backend runs the guest; when a vCPU stops
// for the debugger it calls GdbServer::on_stop (on the thread that runs the vCPUs, with every
// vCPU stopped) and does what the returned Resume says.
#pragma once

#include <cstdint>
#include <optional>
#include <span>

namespace tandem::gdb {

// Z/z packet types (GDB manual, "Packets": Z0 software breakpoint ... Z4 access watchpoint).
enum class BreakKind : unsigned char {
  kSoftware = 0,
  kHardware = 1,
  kWatchWrite = 2,
  kWatchRead = 3,
  kWatchAccess = 4
};

enum class StopKind : unsigned char {
  kInterrupt,   // Ctrl-C, a client attaching, --wait-gdb before the first instruction
  kBreakpoint,  // `kind` says software or hardware; `addr` is the PC
  kStep,        // one instruction executed
  kWatch,       // `kind` says which; `addr` is the data address touched
};

struct StopEvent {
  unsigned cpu = 0;
  StopKind stop = StopKind::kInterrupt;
  BreakKind kind = BreakKind::kSoftware;
  uint64_t addr = 0;
};

enum class ResumeKind : unsigned char {
  kContinue,  // every vCPU runs, or only `cpu` with `only`
  kStep,      // vCPU `cpu` executes one instruction, then on_stop(kStep) again
  kDetach,    // the debugger left: breakpoints are gone, the guest runs on
  kKill,      // stop the VM
};

struct Resume {
  ResumeKind kind = ResumeKind::kContinue;
  unsigned cpu = 0;
  // kContinue of one thread (vCont;c:N, as GDB steps over a breakpoint with software single
  // step): the others stay stopped until the next stop.
  bool only = false;
};

class Target {
 public:
  virtual unsigned cpu_count() const = 0;
  // Register `index` of the target description, little-endian, exactly out.size() bytes (the
  // register's size). false: not available on this vCPU (shown as <unavailable>).
  virtual bool read_register(unsigned cpu, unsigned index, std::span<uint8_t> out) = 0;
  virtual bool write_register(unsigned cpu, unsigned index, std::span<const uint8_t> in) = 0;
  // The guest-physical address `va` maps to on `cpu` now, or nullopt.
  virtual std::optional<uint64_t> translate(unsigned cpu, uint64_t va) = 0;
  // Guest RAM only (never a device register: a read could have side effects). false if any
  // byte is not RAM.
  virtual bool read_physical(uint64_t pa, std::span<uint8_t> out) = 0;
  virtual bool write_physical(uint64_t pa, std::span<const uint8_t> in) = 0;
  virtual bool insert_break(BreakKind kind, uint64_t addr, uint64_t len) = 0;
  virtual bool remove_break(BreakKind kind, uint64_t addr, uint64_t len) = 0;
  virtual void remove_all_breaks() = 0;

 protected:
  ~Target() = default;
};

}  // namespace tandem::gdb

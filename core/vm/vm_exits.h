// SPDX-License-Identifier: Apache-2.0
// Exit handling shared by every backend. Every backend hands each exit to handle(): from inside
// its run loop (Unicorn finishes an access inside its hook, KVM an access inside KVM_RUN's
// loop) or after run() returns (bare metal, and the VM for the exits that end a run). The same
// device bus, PSCI/SBI code and stop policy apply to all.
#pragma once

#include <atomic>
#include <cstdint>

#include "core/base/addr.h"
#include "core/base/spin_lock.h"
#include "core/board/board.h"
#include "core/vcpu/exit.h"
#include "core/vm/stop.h"

namespace tandem {

class DeviceBus;
class CpuControl;
class IrqChip;

// What to do with an access that hits neither RAM nor a device.
enum class UnknownAccessPolicy : unsigned char {
  kStop,    // end the VM with a fault report (default: test guests should never do this)
  kIgnore,  // reads return 0, writes are dropped, logged at debug level
};

// Receives one call per handled exit of vCPU `cpu` when tracing is on (`tandem run --trace`),
// on the thread that runs that vCPU, serialised with every other exit (VmExits::Guard).
class ExitTracer {
 public:
  virtual void trace(unsigned cpu, const VcpuExit& exit) = 0;

 protected:
  ~ExitTracer() = default;
};

// The guest PC for messages and traces. Backends where reading it costs something on every
// exit (a Unicorn register read) pass a reader, which is called only when a trace line or a
// fault report needs the value; others pass the value itself.
struct PcSource {
  uint64_t (*read)(const void* ctx) = nullptr;
  const void* ctx = nullptr;
  uint64_t value = 0;

  PcSource(uint64_t pc) : value(pc) {}  // NOLINT: implicit by design
  PcSource(uint64_t (*reader)(const void*), const void* context) : read(reader), ctx(context) {}
  uint64_t get() const { return read != nullptr ? read(ctx) : value; }
};

class VmExits {
 public:
  explicit VmExits(DeviceBus& bus) : m_bus(bus) {}
  VmExits(const VmExits&) = delete;
  VmExits& operator=(const VmExits&) = delete;

  // The one entry point for a decoded exit of vCPU `cpu`, on every backend: MMIO, port I/O,
  // system registers, firmware calls, power and faults.
  // - Reads: exit.value becomes what the destination register receives (sign- or zero-extended
  //   as the access asks, 32 bits for a W register).
  // - Hypercalls (args = x0..x7 / a0..a7): the board's firmware interface (PSCI, SBI) answers;
  //   "not implemented" (-1000, KVM's -KVM_ENOSYS) without one. exit.args[0..results-1] are
  //   the registers to write back.
  // - System registers (aarch64 MRS/MSR, id as core/arch/aarch64/sysreg_id.h; riscv64 CSRs):
  //   kNotHandled when the VM does not implement `exit.addr` (a read's value is then 0).
  // - Faults: `exit.reason` names what the guest did, `exit.addr` the address involved.
  // kReturn when the VM has stopped (now or before): `exit` is then rewritten to the stop exit
  // (StopInfo::as_exit) and the guest must not resume; kResume otherwise. `pc` is only used
  // for messages and traces.
  ExitAction handle(unsigned cpu, VcpuExit& exit) { return handle(cpu, exit, exit.pc); }
  // The same with the PC from `pc` instead of exit.pc, for a backend that reads it only when a
  // trace line or fault report needs it (emu). Device accesses, the most frequent exits, are
  // handled inline (always: where the caller's exit kind is a constant, the switch folds away):
  // an exit a backend builds on its stack for one then costs no more than a direct call of the
  // access.
  [[gnu::always_inline]] ExitAction handle(unsigned cpu, VcpuExit& exit, const PcSource& pc) {
    switch (exit.kind) {
      case ExitKind::kMmioRead:
        exit.value =
            extend(mmio_read(cpu, Gpa(exit.addr), exit.size, pc), exit.size, exit.sign_extend);
        if (exit.reg_bits == 32) exit.value &= 0xffff'ffffull;
        break;
      case ExitKind::kMmioWrite: mmio_write(cpu, Gpa(exit.addr), exit.size, exit.value, pc); break;
      case ExitKind::kIoRead:
        exit.value = io_read(cpu, static_cast<uint16_t>(exit.addr), exit.size, pc);
        break;
      case ExitKind::kIoWrite:
        io_write(cpu, static_cast<uint16_t>(exit.addr), exit.size, exit.value, pc);
        break;
      default: return handle_other(cpu, exit, pc);
    }
    return stopped() ? stop_exit(exit, pc) : ExitAction::kResume;
  }

  // The interrupt controller model (null where the backend's own irqchip serves the guest, or
  // on x86 emu) and the VM's vCPU power control, for PSCI CPU_ON and SBI HSM.
  void set_irq_chip(IrqChip* chip) { m_chip = chip; }
  IrqChip* irq_chip() const { return m_chip; }
  void set_cpu_control(CpuControl* cpus) { m_cpus = cpus; }
  void set_board(Board* board) { m_board = board; }

  bool stopped() const { return m_stop.kind != StopKind::kRunning; }
  const StopInfo& stop_info() const { return m_stop; }
  StopInfo& stop_info() { return m_stop; }

  // Called (under the lock) after every device access: the VM moves queued console input into
  // the UART as the guest drains it.
  void set_access_hook(void (*hook)(void*), void* ctx) {
    m_access_hook = hook;
    m_access_ctx = ctx;
  }

  // With vCPUs on several threads (Vm<H>::run_cpu) every entry point above serialises on one
  // lock, and so does the VM's own device work (Guard). Off by default: one thread needs none.
  void set_threaded(bool on) { m_threaded = on; }
  class Guard {
   public:
    explicit Guard(VmExits& exits) : m_lock(exits.m_threaded ? &exits.m_lock : nullptr) {
      if (m_lock != nullptr) m_lock->lock();
    }
    ~Guard() {
      if (m_lock != nullptr) m_lock->unlock();
    }
    Guard(const Guard&) = delete;
    Guard& operator=(const Guard&) = delete;

   private:
    SpinLock* m_lock;
  };

  void set_policy(UnknownAccessPolicy p) { m_policy = p; }
  // The devices, for a tracer that names the one an access reached.
  const DeviceBus& bus() const { return m_bus; }

  // How many exits of each kind this VM has handled (statistics; readable from any thread).
  void count(ExitKind kind) {
    Guard guard(*this);
    bump(kind);
  }
  uint64_t exit_count(ExitKind kind) const {
    return m_counts[static_cast<unsigned>(kind)].load(std::memory_order_relaxed);
  }
  void set_tracer(ExitTracer* t, bool mmio_only) {
    m_tracer = t;
    m_trace_mmio_only = mmio_only;
  }
  // What a device access does for console input, for a vCPU that waits out the guest's WFI
  // itself and so never returns to the VM's loop, which takes input in otherwise.
  void take_input() {
    Guard guard(*this);
    after_access();
  }

 private:
  // A load of `size` bytes as its destination register receives it.
  static uint64_t extend(uint64_t value, unsigned size, bool sign) {
    if (size >= 8) return value;
    const unsigned bits = size * 8;
    const uint64_t mask = (uint64_t{1} << bits) - 1;
    value &= mask;
    if (sign && (value >> (bits - 1)) != 0) value |= ~mask;
    return value;
  }
  ExitAction handle_other(unsigned cpu, VcpuExit& exit, const PcSource& pc);
  ExitAction stop_exit(VcpuExit& exit, const PcSource& pc);
  uint64_t mmio_read(unsigned cpu, Gpa gpa, unsigned size, const PcSource& pc);
  void mmio_write(unsigned cpu, Gpa gpa, unsigned size, uint64_t value, const PcSource& pc);
  uint64_t io_read(unsigned cpu, uint16_t port, unsigned size, const PcSource& pc);
  void io_write(unsigned cpu, uint16_t port, unsigned size, uint64_t value, const PcSource& pc);
  HypercallResult hypercall(unsigned cpu, const uint64_t args[8], const PcSource& pc);
  bool sysreg_read(unsigned cpu, uint32_t id, uint64_t& value, const PcSource& pc);
  bool sysreg_write(unsigned cpu, uint32_t id, uint64_t value, const PcSource& pc);
  void fault(unsigned cpu, const char* what, uint64_t addr, uint64_t pc);
  void after_access() {
    if (m_access_hook != nullptr) m_access_hook(m_access_ctx);
  }
  // count() for a caller that holds the Guard: writers never race, so a plain load and store
  // is enough. A locked read-modify-write here was 18% of an emu port exit.
  void bump(ExitKind kind) {
    std::atomic<uint64_t>& n = m_counts[static_cast<unsigned>(kind)];
    n.store(n.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  }
  // Counts the exit; writes a trace line when tracing is on (trace_line, out of line).
  void trace(unsigned cpu, ExitKind kind, uint64_t addr, unsigned size, uint64_t value,
             const PcSource& pc) {
    bump(kind);
    if (m_tracer != nullptr) trace_line(cpu, kind, addr, size, value, pc);
  }
  void trace_line(unsigned cpu, ExitKind kind, uint64_t addr, unsigned size, uint64_t value,
                  const PcSource& pc);
  void unknown_access(const char* dir, const char* what, uint64_t addr, unsigned size,
                      const PcSource& pc);

  DeviceBus& m_bus;
  StopInfo m_stop;
  Board* m_board = nullptr;
  IrqChip* m_chip = nullptr;
  CpuControl* m_cpus = nullptr;
  UnknownAccessPolicy m_policy = UnknownAccessPolicy::kStop;
  ExitTracer* m_tracer = nullptr;
  std::atomic<uint64_t> m_counts[kExitKindCount] = {};
  bool m_trace_mmio_only = false;
  bool m_threaded = false;
  SpinLock m_lock;
  void (*m_access_hook)(void*) = nullptr;
  void* m_access_ctx = nullptr;
};

}  // namespace tandem

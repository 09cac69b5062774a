// SPDX-License-Identifier: Apache-2.0
// Exit handling shared by every backend. Backends either call the access functions from inside
// their run loop (Unicorn finishes an MMIO access inside its callback) or hand a whole VcpuExit
// to handle() after run() returns (KVM, bare metal). Either way the same device bus, PSCI/SBI
// code and stop policy apply.
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

// Receives one call per handled exit when tracing is on (`tandem run --trace exits|mmio`).
class ExitTracer {
 public:
  virtual void trace(const VcpuExit& exit) = 0;

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

  // Device accesses. `pc` is only used for messages and traces.
  uint64_t mmio_read(Gpa gpa, unsigned size, PcSource pc);
  void mmio_write(Gpa gpa, unsigned size, uint64_t value, PcSource pc);
  uint64_t io_read(uint16_t port, unsigned size, PcSource pc);
  void io_write(uint16_t port, unsigned size, uint64_t value, PcSource pc);

  // A firmware call from vCPU `cpu` (args = x0..x7 / a0..a7), answered by the board's
  // firmware interface (PSCI, SBI); "not implemented" (-1000, KVM's -KVM_ENOSYS) without one.
  HypercallResult hypercall(unsigned cpu, const uint64_t args[8], PcSource pc);

  // A system register the backend traps (aarch64 MRS/MSR, id as core/arch/aarch64/sysreg_id.h)
  // on vCPU `cpu`. false when the VM does not implement `id`: the backend then lets the
  // instruction behave as the CPU would (or makes it UNDEFINED).
  bool sysreg_read(unsigned cpu, uint32_t id, uint64_t& value, PcSource pc);
  bool sysreg_write(unsigned cpu, uint32_t id, uint64_t value, PcSource pc);

  // The guest did something the VM cannot continue from: `what` names it (e.g. "unmapped
  // read"), `addr` is the address involved. Stops the VM with a message.
  void fault(const char* what, uint64_t addr, uint64_t pc);

  // The entry point for a decoded exit of vCPU `cpu`: MMIO, port I/O, system registers,
  // firmware calls, power and faults. For reads exit.value becomes what the destination
  // register receives (sign- or zero-extended as the access asks, 32 bits for a W register);
  // for hypercalls exit.args[0..1] the results. kReturn when the VM has stopped (now or
  // before): `exit` is then rewritten to the stop exit (StopInfo::as_exit) and the guest must
  // not resume; kResume otherwise.
  ExitAction handle(unsigned cpu, VcpuExit& exit);

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

  // How many exits of each kind this VM has handled (statistics; readable from any thread).
  void count(ExitKind kind) {
    m_counts[static_cast<unsigned>(kind)].fetch_add(1, std::memory_order_relaxed);
  }
  uint64_t exit_count(ExitKind kind) const {
    return m_counts[static_cast<unsigned>(kind)].load(std::memory_order_relaxed);
  }
  void set_tracer(ExitTracer* t, bool mmio_only) {
    m_tracer = t;
    m_trace_mmio_only = mmio_only;
  }

 private:
  void after_access() {
    if (m_access_hook != nullptr) m_access_hook(m_access_ctx);
  }
  void trace(ExitKind kind, uint64_t addr, unsigned size, uint64_t value, PcSource pc);
  void unknown_access(const char* dir, const char* what, uint64_t addr, unsigned size, PcSource pc);

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

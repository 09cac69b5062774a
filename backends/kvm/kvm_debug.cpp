// SPDX-License-Identifier: Apache-2.0
#include "backends/kvm/kvm_debug.h"

#include <sys/ioctl.h>

#include <algorithm>

#include "backends/kvm/kvm_vcpu.h"
#include "core/mm/guest_memory.h"
#include "core/mm/ram_table_reader.h"
#include "core/vm/vm_exits.h"

namespace tandem::kvm {
namespace {

constexpr uint8_t kInt3 = 0xCC;
constexpr uint32_t kDbVector = 1;      // #DB: single step, debug registers
constexpr uint32_t kBpVector = 3;      // #BP: int3
constexpr uint64_t kDr6Bs = 1u << 14;  // DR6.BS: the #DB of a single step (SDM vol.3B 18.2.3)

bool is_code(gdb::BreakKind k) {
  return k == gdb::BreakKind::kSoftware || k == gdb::BreakKind::kHardware;
}

// DR7's R/W and LEN fields of a slot (SDM vol.3B 18.2.4): 00 execute, 01 write, 11 read or
// write (there is no read-only watch); LEN 00 1 byte, 01 2, 11 4, 10 8, the address aligned to
// it. false when x86 cannot watch that.
bool dr7_fields(gdb::BreakKind kind, uint64_t addr, uint64_t len, uint64_t& rw, uint64_t& le) {
  if (kind == gdb::BreakKind::kHardware) {
    rw = 0;
    le = 0;
    return true;
  }
  if (kind == gdb::BreakKind::kWatchRead) return false;
  rw = kind == gdb::BreakKind::kWatchWrite ? 1 : 3;
  switch (len) {
    case 1: le = 0; break;
    case 2: le = 1; break;
    case 4: le = 3; break;
    case 8: le = 2; break;
    default: return false;
  }
  return addr % len == 0;
}

// Queues the #BP of the int3 at the vCPU's RIP for the guest (api.rst KVM_SET_VCPU_EVENTS; KVM
// delivers it as the software exception it is, the return address past the int3).
bool reinject_bp(int fd) {
  kvm_vcpu_events events{};
  if (::ioctl(fd, KVM_GET_VCPU_EVENTS, &events) != 0) return false;
  events.exception.injected = 1;
  events.exception.nr = kBpVector;
  events.exception.has_error_code = 0;
  events.exception.error_code = 0;
  return ::ioctl(fd, KVM_SET_VCPU_EVENTS, &events) == 0;
}

VcpuExit timeout_exit() {
  VcpuExit e;
  e.kind = ExitKind::kTimeout;  // the run ends here; the VM runs the vCPU again
  return e;
}

}  // namespace

void KvmDebugger::add(KvmVcpu& vcpu) {
  m_vcpus.push_back(&vcpu);
  m_inside.push_back(false);
}

void KvmDebugger::interrupt() {
  for (KvmVcpu* v : m_vcpus) v->request_stop();
}

VcpuExit KvmDebugger::stop_exit() { return m_exits.stop_info().as_exit(0); }

std::optional<VcpuExit> KvmDebugger::enter(unsigned cpu) {
  std::unique_lock lock(m_lock);
  for (;;) {
    if (m_exits.stopped()) return stop_exit();
    if (m_stopped) {
      if (m_runner == cpu) break;
      m_cv.wait(lock);
      continue;
    }
    if (!m_server.stop_wanted()) break;
    // A stop the server wants (Ctrl-C, a client that attached): the first vCPU here leads.
    if (auto e = lead(lock, cpu, {cpu, gdb::StopKind::kInterrupt, gdb::BreakKind::kSoftware, 0}))
      return e;
  }
  m_inside[cpu] = true;
  return std::nullopt;
}

void KvmDebugger::leave(unsigned cpu) {
  std::lock_guard lock(m_lock);
  m_inside[cpu] = false;
  m_cv.notify_all();
}

std::optional<VcpuExit> KvmDebugger::on_debug_exit(unsigned cpu, const kvm_debug_exit_arch& arch) {
  std::unique_lock lock(m_lock);
  // Another vCPU leads a stop already: this one leaves, its int3 stops it again later.
  if (m_stopped && m_runner != cpu) return timeout_exit();
  gdb::StopEvent event{cpu, gdb::StopKind::kBreakpoint, gdb::BreakKind::kSoftware, arch.pc};
  if (arch.exception == kBpVector && !soft_break_at(arch.pc)) {
    // The guest's own int3 (Linux patches its code with them): its #BP handler takes it, as it
    // would without a debugger. A vCPU that cannot be given it stops for the debugger.
    if (reinject_bp(m_vcpus[cpu]->fd())) return std::nullopt;
  }
  if (arch.exception == kDbVector) {
    event.stop = gdb::StopKind::kStep;
    for (unsigned n = 0; n < 4; ++n) {
      if ((arch.dr6 & (1u << n)) == 0 || !m_hard[n].used) continue;
      const HardSlot& s = m_hard[n];
      event.kind = s.kind;
      event.stop = is_code(s.kind) ? gdb::StopKind::kBreakpoint : gdb::StopKind::kWatch;
      event.addr = s.addr;
      break;
    }
    if (event.stop == gdb::StopKind::kStep && (arch.dr6 & kDr6Bs) == 0)
      event.stop = gdb::StopKind::kInterrupt;  // a #DB we did not ask for
  }
  // Inside run(): not counted as waiting, so the others see it as the leader.
  return lead(lock, cpu, event);
}

std::optional<VcpuExit> KvmDebugger::lead(std::unique_lock<std::mutex>& lock, unsigned cpu,
                                          gdb::StopEvent event) {
  m_stopped = true;
  m_runner.reset();
  for (unsigned i = 0; i < m_vcpus.size(); ++i)
    if (i != cpu) m_vcpus[i]->request_stop();
  m_cv.wait(lock, [&] {
    for (unsigned i = 0; i < m_inside.size(); ++i)
      if (i != cpu && m_inside[i]) return false;
    return true;
  });
  lock.unlock();
  for (;;) {
    const gdb::Resume how = m_server.on_stop(event);
    lock.lock();
    switch (how.kind) {
      case gdb::ResumeKind::kKill:
        m_exits.stop_info().set_fault(StopKind::kTimeout, "killed by the debugger");
        m_stopped = false;
        m_cv.notify_all();
        return stop_exit();
      case gdb::ResumeKind::kDetach:
      case gdb::ResumeKind::kContinue: {
        const bool only =
            how.kind == gdb::ResumeKind::kContinue && how.only && how.cpu < m_vcpus.size();
        lock.unlock();
        apply_debug(std::nullopt);
        lock.lock();
        m_stopped = only;
        m_runner.reset();
        if (only) m_runner = how.cpu;
        m_cv.notify_all();
        if (only && how.cpu != cpu) return timeout_exit();
        return std::nullopt;
      }
      case gdb::ResumeKind::kStep: {
        const unsigned target = how.cpu < m_vcpus.size() ? how.cpu : cpu;
        lock.unlock();
        if (!apply_debug(target)) {
          event = {target, gdb::StopKind::kInterrupt, gdb::BreakKind::kSoftware, 0};
          continue;  // the step could not be set up: report a stop at once
        }
        lock.lock();
        m_runner = target;  // the VM stays stopped but for it
        m_cv.notify_all();
        if (target != cpu) return timeout_exit();
        return std::nullopt;
      }
    }
    lock.unlock();  // not reached: every kind returns or serves again
  }
}

bool KvmDebugger::soft_break_at(uint64_t addr) const {
  return std::any_of(m_soft.begin(), m_soft.end(),
                     [&](const SoftBreak& b) { return b.addr == addr; });
}

bool KvmDebugger::apply_debug(std::optional<unsigned> stepping) {
  kvm_guest_debug dbg{};
  uint64_t dr7 = 0;
  bool hard = false;
  for (unsigned n = 0; n < 4; ++n) {
    const HardSlot& s = m_hard[n];
    uint64_t rw = 0;
    uint64_t le = 0;
    if (!s.used || !dr7_fields(s.kind, s.addr, s.len, rw, le)) continue;
    dbg.arch.debugreg[n] = s.addr;
    // G (global enable) and the slot's fields; 0x600 as QEMU sets it (GE and bit 10).
    dr7 |= (uint64_t{2} << (2 * n)) | (rw << (16 + 4 * n)) | (le << (18 + 4 * n));
    hard = true;
  }
  dbg.arch.debugreg[7] = hard ? dr7 | 0x600 : 0;
  uint32_t control = 0;
  if (!m_soft.empty()) control |= KVM_GUESTDBG_USE_SW_BP;
  if (hard) control |= KVM_GUESTDBG_USE_HW_BP;
  bool ok = true;
  for (unsigned i = 0; i < m_vcpus.size(); ++i) {
    dbg.control = control;
    if (stepping == i) dbg.control |= KVM_GUESTDBG_SINGLESTEP | KVM_GUESTDBG_BLOCKIRQ;
    if (dbg.control != 0) dbg.control |= KVM_GUESTDBG_ENABLE;
    bool set = ::ioctl(m_vcpus[i]->fd(), KVM_SET_GUEST_DEBUG, &dbg) == 0;
    if (!set && (dbg.control & KVM_GUESTDBG_BLOCKIRQ) != 0) {
      // Kernels before 5.16 step without keeping interrupts out.
      dbg.control &= ~uint32_t{KVM_GUESTDBG_BLOCKIRQ};
      set = ::ioctl(m_vcpus[i]->fd(), KVM_SET_GUEST_DEBUG, &dbg) == 0;
    }
    ok = set && ok;
  }
  return ok;
}

std::optional<uint64_t> KvmDebugger::translate(unsigned cpu, uint64_t va) {
  if (cpu >= m_vcpus.size()) return std::nullopt;
  return m_vcpus[cpu]->translate(va, ram_table_reader(m_space));
}

bool KvmDebugger::read_physical(uint64_t pa, std::span<uint8_t> out) {
  return GuestMemory(m_space).read(Gpa{pa}, out).ok();
}

bool KvmDebugger::write_physical(uint64_t pa, std::span<const uint8_t> in) {
  return GuestMemory(m_space).write(Gpa{pa}, in).ok();
}

bool KvmDebugger::insert_break(gdb::BreakKind kind, uint64_t addr, uint64_t len) {
  if (kind == gdb::BreakKind::kSoftware) {
    if (soft_break_at(addr)) return true;
    const auto pa = translate(0, addr);
    uint8_t saved = 0;
    if (!pa || !read_physical(*pa, {&saved, 1}) || !write_physical(*pa, {&kInt3, 1})) return false;
    m_soft.push_back({addr, *pa, saved});
    return apply_debug(std::nullopt);
  }
  uint64_t rw = 0;
  uint64_t le = 0;
  if (!dr7_fields(kind, addr, len, rw, le)) return false;
  for (HardSlot& s : m_hard) {
    if (s.used && s.kind == kind && s.addr == addr && s.len == len) return true;
  }
  for (HardSlot& s : m_hard) {
    if (s.used) continue;
    s = {true, kind, addr, len};
    return apply_debug(std::nullopt);
  }
  return false;  // the four debug registers are taken
}

bool KvmDebugger::remove_break(gdb::BreakKind kind, uint64_t addr, uint64_t len) {
  if (kind == gdb::BreakKind::kSoftware) {
    const auto it = std::find_if(m_soft.begin(), m_soft.end(),
                                 [&](const SoftBreak& b) { return b.addr == addr; });
    if (it == m_soft.end()) return false;
    write_physical(it->pa, {&it->saved, 1});
    m_soft.erase(it);
    return apply_debug(std::nullopt);
  }
  for (HardSlot& s : m_hard) {
    if (!s.used || s.kind != kind || s.addr != addr || s.len != len) continue;
    s = {};
    return apply_debug(std::nullopt);
  }
  return false;
}

void KvmDebugger::remove_all_breaks() {
  while (!m_soft.empty()) remove_break(gdb::BreakKind::kSoftware, m_soft.back().addr, 1);
  for (HardSlot& s : m_hard) s = {};
  apply_debug(std::nullopt);
}

}  // namespace tandem::kvm

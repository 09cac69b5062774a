// SPDX-License-Identifier: Apache-2.0
#include "backends/kvm/kvm_exit.h"

#include <cstdio>
#include <cstring>

#include "core/vm/vm_exits.h"

namespace tandem::kvm {
namespace {

uint64_t pc_of(const kvm_run& run) { return run.s.regs.regs.rip; }

ExitAction give(VcpuExit& out, ExitKind kind, const kvm_run& run) {
  out.kind = kind;
  out.pc = pc_of(run);
  return ExitAction::kReturn;
}

ExitAction fault(VcpuExit& out, const kvm_run& run, const char* reason) {
  out.reason = reason;
  return give(out, ExitKind::kFault, run);
}

template <class... Args>
ExitAction fault_fmt(VcpuExit& out, const kvm_run& run, ReasonBuffer& buf, const char* fmt,
                     Args... args) {
  std::snprintf(buf.text, sizeof buf.text, fmt, args...);
  return fault(out, run, buf.text);
}

// One access through the VM's exit entry point. kReturn when the VM has stopped: `out` then
// holds the stop.
ExitAction access(unsigned cpu, VmExits& exits, VcpuExit& e, VcpuExit& out) {
  if (exits.handle(cpu, e) == ExitAction::kResume) return ExitAction::kResume;
  out = e;
  return ExitAction::kReturn;
}

// kvm_run.io: `count` elements (more than one for REP INS/OUTS) of `size` bytes each at
// `data_offset` from the start of the mapping; IN data must be there before the next KVM_RUN.
ExitAction finish_io(unsigned cpu, kvm_run& run, size_t run_size, VmExits& exits, VcpuExit& out,
                     ReasonBuffer& buf) {
  const auto& io = run.io;
  const uint64_t bytes = uint64_t{io.size} * io.count;
  if ((io.size != 1 && io.size != 2 && io.size != 4) || io.data_offset > run_size ||
      bytes > run_size - io.data_offset)
    return fault_fmt(out, run, buf, "KVM_EXIT_IO with a malformed data area (size %u count %u)",
                     unsigned{io.size}, io.count);
  auto* data = reinterpret_cast<uint8_t*>(&run) + io.data_offset;
  const bool in = io.direction != KVM_EXIT_IO_OUT;
  for (uint32_t i = 0; i < io.count; ++i, data += io.size) {
    VcpuExit e;
    e.kind = in ? ExitKind::kIoRead : ExitKind::kIoWrite;
    e.addr = io.port;
    e.size = io.size;
    e.pc = pc_of(run);
    if (!in) std::memcpy(&e.value, data, io.size);  // x86 hosts are little-endian, like the guest
    if (access(cpu, exits, e, out) == ExitAction::kReturn) return ExitAction::kReturn;
    if (in) std::memcpy(data, &e.value, io.size);
  }
  return ExitAction::kResume;
}

// kvm_run.mmio: an access to a GPA with no memory slot; KVM writes read data back to the
// destination register itself on the next KVM_RUN.
ExitAction finish_mmio(unsigned cpu, kvm_run& run, VmExits& exits, VcpuExit& out,
                       ReasonBuffer& buf) {
  auto& mmio = run.mmio;
  if (mmio.len != 1 && mmio.len != 2 && mmio.len != 4 && mmio.len != 8)
    return fault_fmt(out, run, buf, "MMIO access of %u bytes at 0x%llx is not supported", mmio.len,
                     static_cast<unsigned long long>(mmio.phys_addr));
  VcpuExit e;
  e.kind = mmio.is_write ? ExitKind::kMmioWrite : ExitKind::kMmioRead;
  e.addr = mmio.phys_addr;
  e.size = static_cast<uint8_t>(mmio.len);
  e.pc = pc_of(run);
  if (mmio.is_write) std::memcpy(&e.value, mmio.data, mmio.len);
  if (access(cpu, exits, e, out) == ExitAction::kReturn) return ExitAction::kReturn;
  if (!mmio.is_write) std::memcpy(mmio.data, &e.value, mmio.len);
  return ExitAction::kResume;
}

ExitAction system_event(const kvm_run& run, VcpuExit& out, ReasonBuffer& buf) {
  switch (run.system_event.type) {
    case KVM_SYSTEM_EVENT_SHUTDOWN: return give(out, ExitKind::kSystemDown, run);
    case KVM_SYSTEM_EVENT_RESET: return give(out, ExitKind::kSystemReset, run);
    case KVM_SYSTEM_EVENT_CRASH:
      return fault(out, run, "the guest reported a crash (KVM_SYSTEM_EVENT_CRASH)");
    default:
      return fault_fmt(out, run, buf, "unknown KVM_EXIT_SYSTEM_EVENT type %u",
                       run.system_event.type);
  }
}

const char* suberror_name(uint32_t suberror) {
  switch (suberror) {
    case KVM_INTERNAL_ERROR_EMULATION: return "instruction emulation failed";
    case KVM_INTERNAL_ERROR_SIMUL_EX: return "exception while delivering an exception";
    case KVM_INTERNAL_ERROR_DELIVERY_EV: return "exit while delivering an event";
    case KVM_INTERNAL_ERROR_UNEXPECTED_EXIT_REASON: return "unexpected hardware exit reason";
    default: return "unknown suberror";
  }
}

ExitAction internal_error(const kvm_run& run, VcpuExit& out, ReasonBuffer& buf) {
  const auto& in = run.internal;
  // The first data words identify the failing exit (api.rst, KVM_EXIT_INTERNAL_ERROR).
  const unsigned long long d0 = in.ndata > 0 ? in.data[0] : 0, d1 = in.ndata > 1 ? in.data[1] : 0;
  return fault_fmt(out, run, buf,
                   "KVM internal error: suberror %u (%s), ndata %u, data 0x%llx 0x%llx",
                   in.suberror, suberror_name(in.suberror), in.ndata, d0, d1);
}

}  // namespace

ExitAction decode_exit(unsigned cpu, kvm_run& run, size_t run_size, VmExits& exits, VcpuExit& out,
                       ReasonBuffer& buf) {
  switch (run.exit_reason) {
    case KVM_EXIT_IO: return finish_io(cpu, run, run_size, exits, out, buf);
    case KVM_EXIT_MMIO: return finish_mmio(cpu, run, exits, out, buf);
    case KVM_EXIT_HLT: return give(out, ExitKind::kHalt, run);
    case KVM_EXIT_SHUTDOWN:
      return fault(out, run,
                   "triple fault (KVM_EXIT_SHUTDOWN): the guest took an exception it could not "
                   "deliver");
    case KVM_EXIT_SYSTEM_EVENT: return system_event(run, out, buf);
    case KVM_EXIT_FAIL_ENTRY:
      return fault_fmt(
          out, run, buf,
          "KVM could not enter the guest (KVM_EXIT_FAIL_ENTRY): "
          "hardware_entry_failure_reason 0x%llx on cpu %u",
          static_cast<unsigned long long>(run.fail_entry.hardware_entry_failure_reason),
          run.fail_entry.cpu);
    case KVM_EXIT_INTERNAL_ERROR: return internal_error(run, out, buf);
    case KVM_EXIT_EXCEPTION:
      return fault_fmt(out, run, buf, "unhandled guest exception %u (error code 0x%x)",
                       run.ex.exception, run.ex.error_code);
    case KVM_EXIT_UNKNOWN:
      return fault_fmt(out, run, buf, "KVM_EXIT_UNKNOWN: hardware exit reason 0x%llx",
                       static_cast<unsigned long long>(run.hw.hardware_exit_reason));
    default: return fault_fmt(out, run, buf, "unhandled KVM exit reason %u", run.exit_reason);
  }
}

}  // namespace tandem::kvm

// SPDX-License-Identifier: Apache-2.0
#include "cli/exit_tracer.h"

#include <array>

#include "cli/trace_line.h"

namespace tandem::cli {

void TraceWriter::trace(unsigned cpu, const VcpuExit& e) {
  TraceLine line;
  line.cpu = cpu;
  line.exit = &e;
  RegisterName reg;
  const bool mmio = e.kind == ExitKind::kMmioRead || e.kind == ExitKind::kMmioWrite;
  const bool port = e.kind == ExitKind::kIoRead || e.kind == ExitKind::kIoWrite;
  if (mmio || port) {
    const BusHit hit = m_bus.find(mmio ? BusSpace::kMmio : BusSpace::kPort, e.addr);
    if (hit.device != nullptr) {
      line.device = hit.device->name();
      const bool write = e.kind == ExitKind::kMmioWrite || e.kind == ExitKind::kIoWrite;
      if (hit.device->register_name(hit.offset, write, reg)) line.reg = reg.text;
    }
  }
  line.insn = instruction_at(cpu, e.pc);
  line.counted = m_count != nullptr;
  if (line.counted) line.icount = m_count();
  write(format_trace_line(line));
}

void TraceWriter::instruction(unsigned cpu, uint64_t pc) {
  TraceLine line;
  line.cpu = cpu;
  line.pc = pc;
  line.insn = instruction_at(cpu, pc);
  line.counted = m_count != nullptr;
  if (line.counted) line.icount = m_count();
  write(format_trace_line(line));
}

std::string TraceWriter::instruction_at(unsigned cpu, uint64_t pc) {
  std::array<uint8_t, Disassembler::kMaxBytes> bytes{};
  const size_t n = m_code(cpu, pc, bytes);
  return m_disassembler.disassemble(pc, std::span(bytes).first(n));
}

void TraceWriter::write(const std::string& line) {
  std::lock_guard guard(m_lock);
  std::fputs(line.c_str(), m_out);
}

}  // namespace tandem::cli

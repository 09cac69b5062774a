// SPDX-License-Identifier: Apache-2.0
// `--trace` (cli/trace_option.h): one line per exit, device access or instruction, on stderr or
// into `--trace-file`, as cli/trace_line.h formats it: the device an access reached and its
// register by name (Device::register_name), and the instruction at the PC disassembled, read
// through the vCPU's own page tables.
// With --icount each line ends with the instruction count at the exit.
#pragma once

#include <cstdio>
#include <functional>
#include <mutex>
#include <span>
#include <string>
#include <utility>

#include "cli/disassembler.h"
#include "core/bus/device_bus.h"
#include "core/vm/vm_exits.h"

namespace tandem::cli {

// Reads guest code at guest-virtual `va` as vCPU `cpu` sees it: how many bytes were read (0: not
// mapped to RAM).
using CodeReader = std::function<size_t(unsigned cpu, uint64_t va, std::span<uint8_t> out)>;

class TraceWriter final : public ExitTracer {
 public:
  // `out` stays open while the writer lives (the caller owns it).
  TraceWriter(std::FILE* out, Arch arch, const DeviceBus& bus, CodeReader code)
      : m_out(out), m_disassembler(arch), m_bus(bus), m_code(std::move(code)) {}

  void trace(unsigned cpu, const VcpuExit& e) override;
  // Each line ends with " icount=N", N from `count` (backends/emu/emu_icount.h).
  void show_count(uint64_t (*count)()) { m_count = count; }
  // An instruction about to run (--trace insn=).
  void instruction(unsigned cpu, uint64_t pc);
  static void report_instruction(void* writer, unsigned cpu, uint64_t pc) {
    static_cast<TraceWriter*>(writer)->instruction(cpu, pc);
  }

 private:
  std::string instruction_at(unsigned cpu, uint64_t pc);
  void write(const std::string& line);

  std::FILE* m_out;
  Disassembler m_disassembler;
  const DeviceBus& m_bus;
  CodeReader m_code;
  std::mutex m_lock;  // lines from several vCPU threads stay whole
  uint64_t (*m_count)() = nullptr;
};

}  // namespace tandem::cli

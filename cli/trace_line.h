// SPDX-License-Identifier: Apache-2.0
// The text of every trace line (`tandem run --trace`), in one place: the kind, then
// space-separated key=value fields. An exit:
//
//   exit mmio-write  cpu=0 addr=0x9000000 size=1 value=0x48 pc=0x40000a1c dev=pl011 reg=UARTDR
//   insn="strb w1, [x0]"
//
// An instruction (--trace insn=):
//
//   insn cpu=0 pc=0x40000a1c insn="strb w1, [x0]"
//
// dev and reg are left out where no device (or no register name) answers, insn where the
// bytes at the PC cannot be read or decoded. With --icount every line ends with icount=N, the
// instructions the vCPU had executed.
#pragma once

#include <cstdint>
#include <string>

#include "core/vcpu/exit.h"

namespace tandem::cli {

struct TraceLine {
  unsigned cpu = 0;
  const VcpuExit* exit = nullptr;  // null: an instruction line, at `pc`
  uint64_t pc = 0;
  const char* device = nullptr;
  const char* reg = nullptr;
  std::string insn;
  bool counted = false;  // --icount: the line ends with icount=N
  uint64_t icount = 0;
};

// The line, with its newline.
std::string format_trace_line(const TraceLine& line);

}  // namespace tandem::cli

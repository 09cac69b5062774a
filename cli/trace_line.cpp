// SPDX-License-Identifier: Apache-2.0
#include "cli/trace_line.h"

#include <cinttypes>
#include <cstdio>

namespace tandem::cli {

std::string format_trace_line(const TraceLine& line) {
  char head[160];
  if (line.exit != nullptr) {
    const VcpuExit& e = *line.exit;
    std::snprintf(head, sizeof head,
                  "exit %-11s cpu=%u addr=%#" PRIx64 " size=%u value=%#" PRIx64 " pc=%#" PRIx64,
                  to_string(e.kind), line.cpu, e.addr, unsigned{e.size}, e.value, e.pc);
  } else {
    std::snprintf(head, sizeof head, "insn cpu=%u pc=%#" PRIx64, line.cpu, line.pc);
  }
  std::string text = head;
  if (line.device != nullptr) text += std::string(" dev=") + line.device;
  if (line.reg != nullptr) text += std::string(" reg=") + line.reg;
  if (!line.insn.empty()) text += " insn=\"" + line.insn + "\"";
  if (line.counted) text += " icount=" + std::to_string(line.icount);
  text += '\n';
  return text;
}

}  // namespace tandem::cli

// SPDX-License-Identifier: Apache-2.0
// `--trace exits|mmio`: one line per exit on stderr: kind, address or port, width, value, pc,
// and with --icount the instruction count at the exit.
#pragma once

#include <cstdio>

#include "core/vm/vm_exits.h"

namespace tandem::cli {

class StderrTracer final : public ExitTracer {
 public:
  // Each line ends with " icount=N", N from `count` (backends/emu/emu_icount.h).
  void show_count(uint64_t (*count)()) { m_count = count; }

  void trace(const VcpuExit& e) override {
    char count[32] = "";
    if (m_count != nullptr)
      std::snprintf(count, sizeof count, " icount=%llu",
                    static_cast<unsigned long long>(m_count()));
    std::fprintf(stderr, "exit %-11s addr=%#llx size=%u value=%#llx pc=%#llx%s\n",
                 to_string(e.kind), static_cast<unsigned long long>(e.addr), e.size,
                 static_cast<unsigned long long>(e.value), static_cast<unsigned long long>(e.pc),
                 count);
  }

 private:
  uint64_t (*m_count)() = nullptr;
};

}  // namespace tandem::cli

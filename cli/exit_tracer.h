// SPDX-License-Identifier: Apache-2.0
// `--trace exits|mmio`: one line per exit on stderr: kind, address or port, width, value, pc.
#pragma once

#include <cstdio>

#include "core/vm/vm_exits.h"

namespace tandem::cli {

class StderrTracer final : public ExitTracer {
 public:
  void trace(const VcpuExit& e) override {
    std::fprintf(stderr, "exit %-11s addr=%#llx size=%u value=%#llx pc=%#llx\n", to_string(e.kind),
                 static_cast<unsigned long long>(e.addr), e.size,
                 static_cast<unsigned long long>(e.value), static_cast<unsigned long long>(e.pc));
  }
};

}  // namespace tandem::cli

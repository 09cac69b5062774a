// SPDX-License-Identifier: Apache-2.0
// The registers the stub shows GDB for each guest architecture, as a target description
// (GDB manual, "Target Descriptions" and "Standard Target Features"): aarch64
// org.gnu.gdb.aarch64.core + .fpu, riscv64 org.gnu.gdb.riscv.cpu + .fpu + .csr, x86_64
// org.gnu.gdb.i386.core + .sse + .segments, each plus the system registers a kernel developer
// looks at (an org.tandem.<arch>.sys feature: translation, exception and trap registers).
// A register's index here is its number in `g`, `p` and `P` packets.
#pragma once

#include <string>
#include <vector>

#include "core/base/arch.h"

namespace tandem::gdb {

struct RegisterDesc {
  std::string name;
  unsigned bits;
  const char* type;  // a GDB predefined type or one the feature defines
  unsigned feature;  // index into ArchDescription::features
};

struct FeatureDesc {
  const char* name;
  const char* types;  // XML type definitions the feature's registers use (may be "")
  const char* group;  // the register group its registers show in ("" for GDB's default)
};

struct ArchDescription {
  const char* architecture;  // <architecture>: aarch64, riscv:rv64, i386:x86-64
  std::vector<FeatureDesc> features;
  std::vector<RegisterDesc> registers;
  unsigned pc;  // index of the program counter
};

const ArchDescription& describe(Arch arch);
// The whole target.xml for qXfer:features:read.
std::string target_xml(const ArchDescription& desc);

}  // namespace tandem::gdb

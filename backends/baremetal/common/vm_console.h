// SPDX-License-Identifier: Apache-2.0
// A VM's console when an image runs several VMs (common/run_smp.h): the one real UART carries
// every VM's output, each line prefixed "[name] " as `tandem run` prefixes the lines of several
// VMs (cli/console_sinks.h). A line is held until its newline (or until the buffer fills) and
// then written whole under the console lock, so the lines of VMs on different physical CPUs
// never interleave.
#pragma once

#include <cstddef>
#include <cstdint>

#include "backends/baremetal/common/payload.h"
#include "devices/char_sink.h"

namespace tandem::baremetal {

class PrefixConsole final : public CharSink {
 public:
  void set_name(const char* name);
  // "[name] ": what goes before the VM's console lines and its reports.
  const char* tag() const { return m_tag; }
  void put(uint8_t c) override;
  // Writes the line held so far (the VM has stopped: its last words may lack a newline).
  void flush();

 private:
  static constexpr size_t kLineBytes = 200;
  void write_line();

  char m_tag[kPayloadNameBytes + 3] = {};
  char m_line[kLineBytes] = {};
  size_t m_len = 0;
};

}  // namespace tandem::baremetal

// SPDX-License-Identifier: Apache-2.0
// One GDB client's commands, without the socket: each packet payload becomes the replies to
// send and, for c/s/vCont/D/k, what the guest does next. Registers and memory come from a
// Target. Unknown packets get the empty reply (GDB's "not supported"); malformed ones an
// error reply (E01), never a crash. Threads are vCPUs: thread id = vCPU index + 1.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "backends/hosted/gdb/gdb_arch.h"
#include "backends/hosted/gdb/gdb_target.h"

namespace tandem::gdb {

class Session {
 public:
  struct Outcome {
    std::vector<std::string> replies;  // payloads, in order (console output, then the answer)
    bool resume = false;               // the guest runs (or steps, detaches, dies)
    Resume how;
  };

  Session(Target& target, const ArchDescription& arch);

  Outcome handle(std::string_view packet);

  // The stop reply for `stop` (also the answer to `?` until the next one).
  std::string stop_reply(const StopEvent& stop);
  static std::string exit_reply(int status);
  bool no_ack() const { return m_no_ack; }

 private:
  std::string read_registers();
  std::string write_registers(std::string_view hex);
  std::string read_register(std::string_view args);
  std::string write_register(std::string_view args);
  std::string read_memory(std::string_view args);
  std::string write_memory(std::string_view args, bool binary);
  std::string breakpoint(std::string_view args, bool insert);
  std::string query(std::string_view packet, Outcome& out);
  std::string monitor(std::string_view hex_command, Outcome& out);
  Outcome resume(std::string_view packet);
  bool valid_thread(std::string_view id, unsigned& cpu, bool allow_all) const;
  unsigned register_bytes(unsigned index) const { return (m_arch.registers[index].bits + 7) / 8; }

  Target& m_target;
  const ArchDescription& m_arch;
  std::string m_xml;
  unsigned m_general_cpu = 0;   // Hg: registers and memory
  unsigned m_continue_cpu = 0;  // Hc: which vCPU `s` steps
  std::string m_last_stop = "S05";
  bool m_no_ack = false;
};

}  // namespace tandem::gdb

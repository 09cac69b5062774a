// SPDX-License-Identifier: Apache-2.0
// One guest instruction as text, for trace lines, through Capstone (Debian 13's
// libcapstone-dev 5: Debian 12's 4.0 has no RISC-V; cmake/TandemCapstone.cmake). x86_64 is
// decoded as 64-bit code.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "core/base/arch.h"

namespace tandem::cli {

class Disassembler {
 public:
  explicit Disassembler(Arch arch);
  ~Disassembler();
  Disassembler(const Disassembler&) = delete;
  Disassembler& operator=(const Disassembler&) = delete;

  // The instruction at the start of `bytes`, fetched from `pc` ("strb w1, [x0]"), or "" when
  // the bytes are no instruction (or Capstone could not be opened).
  std::string disassemble(uint64_t pc, std::span<const uint8_t> bytes) const;

  // How many bytes to fetch at a PC to decode any one instruction.
  static constexpr unsigned kMaxBytes = 16;

 private:
  size_t m_handle = 0;  // Capstone's csh; 0: not open
};

}  // namespace tandem::cli

// SPDX-License-Identifier: Apache-2.0
#include "cli/disassembler.h"

#include <capstone/capstone.h>

namespace tandem::cli {

Disassembler::Disassembler(Arch arch) {
  cs_arch cs = CS_ARCH_X86;
  int mode = CS_MODE_64;
  switch (arch) {
    case Arch::kAarch64:
      cs = CS_ARCH_ARM64;
      mode = CS_MODE_LITTLE_ENDIAN;
      break;
    case Arch::kRiscv64:
      cs = CS_ARCH_RISCV;
      mode = CS_MODE_RISCV64 | CS_MODE_RISCVC;
      break;
    case Arch::kX86_64: break;
  }
  csh handle = 0;
  if (cs_open(cs, static_cast<cs_mode>(mode), &handle) == CS_ERR_OK) m_handle = handle;
}

Disassembler::~Disassembler() {
  if (m_handle == 0) return;
  csh handle = m_handle;
  cs_close(&handle);
}

std::string Disassembler::disassemble(uint64_t pc, std::span<const uint8_t> bytes) const {
  if (m_handle == 0 || bytes.empty()) return {};
  cs_insn* insn = nullptr;
  const size_t n = cs_disasm(m_handle, bytes.data(), bytes.size(), pc, 1, &insn);
  if (n == 0) return {};
  std::string text = insn[0].mnemonic;
  if (insn[0].op_str[0] != '\0') text += std::string(" ") + insn[0].op_str;
  cs_free(insn, n);
  return text;
}

}  // namespace tandem::cli

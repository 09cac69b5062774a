// SPDX-License-Identifier: Apache-2.0
// The emu backend's limit (bench/README.md): raw Unicorn running a guest ELF with nothing but RAM
// and the answers the benchmark guests need, given inline. It loads the PT_LOAD segments, maps
// the UART page with a read callback that returns a constant status (TX empty), answers the
// hypercalls with constants, and stops at the guest's power-off. The guest sees the same board
// as under Tandem, so whatever Tandem costs beyond this run is Tandem's own.
//   uc_limit <guest.elf>    exit status 0 when the guest powered off
#include <elf.h>
#include <unicorn/unicorn.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <vector>

namespace {

constexpr uint64_t kRamSize = 128ull << 20;
constexpr uint64_t kPsciVersion = 0x84000000;
constexpr uint64_t kPsciSystemOff = 0x84000008;
constexpr uint64_t kSbiExtSrst = 0x53525354;
constexpr uint32_t kA64Hvc = 11;  // UC_HOOK_INTR number for HVC (docs UNICORN.md section 2)
constexpr uint32_t kRvEcall = 8;  // every ECALL, whatever the mode
constexpr uint16_t kDebugExit = 0xf4;

bool powered_off = false;

uint64_t reg(uc_engine* uc, int id) {
  uint64_t v = 0;
  uc_reg_read(uc, id, &v);
  return v;
}

void set_reg(uc_engine* uc, int id, uint64_t v) { uc_reg_write(uc, id, &v); }

void stop(uc_engine* uc) { uc_emu_stop(uc); }

void power_off(uc_engine* uc) {
  powered_off = true;
  uc_emu_stop(uc);
}

struct Board {
  uc_arch arch;
  uc_mode mode;
  uint64_t ram_base;
  uint64_t uart_base;  // 0: port I/O
  uint64_t status_offset;
  uint64_t status;  // PL011 FR: TXFE|RXFE; 16550 LSR: THRE|TEMT
};

uint64_t uart_read(uc_engine*, uint64_t offset, unsigned, void* board) {
  const auto& b = *static_cast<const Board*>(board);
  return offset == b.status_offset ? b.status : 0;
}

void uart_write(uc_engine*, uint64_t, unsigned, uint64_t, void*) {}

void a64_intr(uc_engine* uc, uint32_t intno, void*) {
  const uint64_t x0 = reg(uc, UC_ARM64_REG_X0);
  if (intno == kA64Hvc && x0 == kPsciSystemOff) return power_off(uc);
  if (intno != kA64Hvc || x0 != kPsciVersion) return stop(uc);
  set_reg(uc, UC_ARM64_REG_X0, 0x10001);
}

void rv_intr(uc_engine* uc, uint32_t intno, void*) {
  if (intno != kRvEcall) return stop(uc);
  if (reg(uc, UC_RISCV_REG_A7) == kSbiExtSrst) return power_off(uc);
  set_reg(uc, UC_RISCV_REG_A0, 0);
  set_reg(uc, UC_RISCV_REG_A1, 0x01000000);
}

uint32_t x86_in(uc_engine*, uint32_t port, int, void*) { return port == 0x3fd ? 0x60 : 0; }

void x86_out(uc_engine* uc, uint32_t port, int, uint32_t, void*) {
  if (port == kDebugExit) power_off(uc);
}

bool setup(uc_engine* uc, uint16_t machine, Board& b) {
  uc_hook h;
  if (machine == EM_AARCH64) {
    // SCR_EL3 = RW|HCE|NS and HCR_EL2 = RW|IMO, as Tandem sets them: HVC reaches the hook.
    uc_arm64_cp_reg scr{1, 1, 3, 6, 0, (1u << 10) | (1u << 8) | 1u};
    uc_arm64_cp_reg hcr{1, 1, 3, 4, 0, (1ull << 31) | (1ull << 4)};
    if (uc_reg_write(uc, UC_ARM64_REG_CP_REG, &scr) || uc_reg_write(uc, UC_ARM64_REG_CP_REG, &hcr))
      return false;
    if (uc_hook_add(uc, &h, UC_HOOK_INTR, reinterpret_cast<void*>(a64_intr), nullptr, 1, 0))
      return false;
  } else if (machine == EM_RISCV) {
    if (uc_hook_add(uc, &h, UC_HOOK_INTR, reinterpret_cast<void*>(rv_intr), nullptr, 1, 0))
      return false;
  } else {
    if (uc_hook_add(uc, &h, UC_HOOK_INSN, reinterpret_cast<void*>(x86_in), nullptr, 1, 0,
                    UC_X86_INS_IN) ||
        uc_hook_add(uc, &h, UC_HOOK_INSN, reinterpret_cast<void*>(x86_out), nullptr, 1, 0,
                    UC_X86_INS_OUT))
      return false;
  }
  if (uc_mem_map(uc, b.ram_base, kRamSize, UC_PROT_ALL)) return false;
  if (b.uart_base == 0) return true;
  return uc_mmio_map(uc, b.uart_base, 0x1000, uart_read, &b, uart_write, nullptr) == 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: uc_limit <guest.elf>\n");
    return 2;
  }
  std::ifstream in(argv[1], std::ios::binary);
  const std::vector<uint8_t> file{std::istreambuf_iterator<char>(in), {}};
  Elf64_Ehdr eh;
  if (file.size() < sizeof eh) return 2;
  std::memcpy(&eh, file.data(), sizeof eh);

  Board b{};
  if (eh.e_machine == EM_AARCH64) {
    b = {UC_ARCH_ARM64, UC_MODE_ARM, 0x40000000, 0x09000000, 0x18, 0x90};
  } else if (eh.e_machine == EM_RISCV) {
    b = {UC_ARCH_RISCV, UC_MODE_RISCV64, 0x80000000, 0x10000000, 5, 0x60};
  } else if (eh.e_machine == EM_X86_64) {
    b = {UC_ARCH_X86, UC_MODE_64, 0, 0, 0, 0};
  } else {
    return 2;
  }
  uc_engine* uc = nullptr;
  if (uc_open(b.arch, b.mode, &uc)) return 1;
  if (eh.e_machine == EM_AARCH64 && uc_ctl_set_cpu_model(uc, UC_CPU_ARM64_A72)) return 1;
  if (!setup(uc, eh.e_machine, b)) return 1;
  for (unsigned i = 0; i < eh.e_phnum; ++i) {
    Elf64_Phdr ph;
    std::memcpy(&ph, file.data() + eh.e_phoff + i * sizeof ph, sizeof ph);
    if (ph.p_type != PT_LOAD || ph.p_filesz == 0) continue;
    if (uc_mem_write(uc, ph.p_paddr, file.data() + ph.p_offset, ph.p_filesz)) return 1;
  }
  const uc_err err = uc_emu_start(uc, eh.e_entry, 0, 0, 0);
  uc_close(uc);
  if (err != UC_ERR_OK || !powered_off) {
    std::fprintf(stderr, "uc_limit: guest stopped without powering off (%s)\n", uc_strerror(err));
    return 1;
  }
  return 0;
}

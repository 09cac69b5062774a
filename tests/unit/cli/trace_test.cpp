// SPDX-License-Identifier: Apache-2.0
// `--trace`: the option's items, the line format (cli/trace_line.h) and the disassembly of
// known encodings (Arm ARM C6.2 STRB/RET, RISC-V unprivileged spec SW/C.NOP, Intel SDM OUT/MOV).
#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <string>

#include "cli/disassembler.h"
#include "cli/trace_line.h"
#include "cli/trace_option.h"

namespace tandem::cli {
namespace {

TEST(TraceOption, Items) {
  std::string error;
  auto spec = parse_trace("mmio,insn=0x40000000-0x40000fff", error);
  ASSERT_TRUE(spec) << error;
  EXPECT_EQ(spec->mode, TraceMode::kMmio);
  ASSERT_TRUE(spec->insn);
  EXPECT_EQ(spec->insn->begin, 0x40000000u);
  EXPECT_EQ(spec->insn->end, 0x40000fffu);
  spec = parse_trace("exits", error);
  ASSERT_TRUE(spec);
  EXPECT_EQ(spec->mode, TraceMode::kExits);
  EXPECT_FALSE(spec->insn);
  spec = parse_trace("none", error);
  ASSERT_TRUE(spec);
  EXPECT_FALSE(spec->any());
  spec = parse_trace("insn=4096-4096", error);  // decimal, one address
  ASSERT_TRUE(spec);
  EXPECT_EQ(spec->insn->begin, 4096u);
  EXPECT_EQ(spec->mode, TraceMode::kNone);
  EXPECT_TRUE(spec->any());
}

TEST(TraceOption, BadItemsSayWhy) {
  std::string error;
  for (const char* bad : {"exit", "mmio,exits", "insn=", "insn=0x2000-0x1000", "insn=0x1000",
                          "insn=0x1000-", "insn=-1-2", "insn=0x1000-0x2000x", "mmio,,", ""}) {
    error.clear();
    EXPECT_FALSE(parse_trace(bad, error)) << bad;
    EXPECT_FALSE(error.empty()) << bad;
  }
}

TEST(TraceLine, ExitWithDeviceRegisterAndInstruction) {
  VcpuExit e;
  e.kind = ExitKind::kMmioWrite;
  e.addr = 0x9000000;
  e.size = 1;
  e.value = 0x48;
  e.pc = 0x40000a1c;
  TraceLine line{1, &e, 0, "pl011", "UARTDR", "strb w1, [x0]"};
  EXPECT_EQ(format_trace_line(line),
            "exit mmio-write  cpu=1 addr=0x9000000 size=1 value=0x48 pc=0x40000a1c dev=pl011 "
            "reg=UARTDR insn=\"strb w1, [x0]\"\n");
  line.device = nullptr;
  line.reg = nullptr;
  line.insn.clear();
  EXPECT_EQ(format_trace_line(line),
            "exit mmio-write  cpu=1 addr=0x9000000 size=1 value=0x48 pc=0x40000a1c\n");
}

TEST(TraceLine, Instruction) {
  TraceLine line{0, nullptr, 0x80000000, nullptr, nullptr, "c.nop"};
  EXPECT_EQ(format_trace_line(line), "insn cpu=0 pc=0x80000000 insn=\"c.nop\"\n");
}

TEST(Disassembler, Aarch64) {
  Disassembler d(Arch::kAarch64);
  const std::array<uint8_t, 4> strb = {0x01, 0x00, 0x00, 0x39};  // STRB W1, [X0]
  EXPECT_EQ(d.disassemble(0x40000000, strb), "strb w1, [x0]");
  const std::array<uint8_t, 4> ret = {0xc0, 0x03, 0x5f, 0xd6};
  EXPECT_EQ(d.disassemble(0x40000000, ret), "ret");
  EXPECT_EQ(d.disassemble(0x40000000, std::span(ret).first(2)), "");  // too short
}

TEST(Disassembler, Riscv64WithCompressed) {
  Disassembler d(Arch::kRiscv64);
  const std::array<uint8_t, 4> sw = {0x23, 0x20, 0xb5, 0x00};  // SW a1, 0(a0)
  EXPECT_EQ(d.disassemble(0x80000000, sw), "sw a1, 0(a0)");
  const std::array<uint8_t, 2> cnop = {0x01, 0x00};
  EXPECT_EQ(d.disassemble(0x80000000, cnop), "c.nop");
}

TEST(Disassembler, X86_64) {
  Disassembler d(Arch::kX86_64);
  const std::array<uint8_t, 1> out = {0xee};
  EXPECT_EQ(d.disassemble(0x100000, out), "out dx, al");
  const std::array<uint8_t, 16> mov = {0xb8, 0x01, 0x00, 0x00, 0x00, 0x90};  // then a nop
  EXPECT_EQ(d.disassemble(0x100000, mov), "mov eax, 1");
}

}  // namespace
}  // namespace tandem::cli

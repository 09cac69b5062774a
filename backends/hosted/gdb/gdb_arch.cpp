// SPDX-License-Identifier: Apache-2.0
#include "backends/hosted/gdb/gdb_arch.h"

namespace tandem::gdb {
namespace {

constexpr const char* kAarch64Vector = R"(<vector id="v2d" type="ieee_double" count="2"/>
<vector id="v2u" type="uint64" count="2"/>
<vector id="v4f" type="ieee_single" count="4"/>
<vector id="v4u" type="uint32" count="4"/>
<vector id="v8u" type="uint16" count="8"/>
<vector id="v16u" type="uint8" count="16"/>
<union id="aarch64v"><field name="d" type="v2d"/><field name="s" type="v4f"/><field name="ud" type="v2u"/><field name="us" type="v4u"/><field name="uh" type="v8u"/><field name="ub" type="v16u"/><field name="q" type="uint128"/></union>
)";

constexpr const char* kX86Vector = R"(<vector id="v4f" type="ieee_single" count="4"/>
<vector id="v2d" type="ieee_double" count="2"/>
<vector id="v16i8" type="int8" count="16"/>
<vector id="v8i16" type="int16" count="8"/>
<vector id="v4i32" type="int32" count="4"/>
<vector id="v2i64" type="int64" count="2"/>
<union id="vec128"><field name="v4_float" type="v4f"/><field name="v2_double" type="v2d"/><field name="v16_int8" type="v16i8"/><field name="v8_int16" type="v8i16"/><field name="v4_int32" type="v4i32"/><field name="v2_int64" type="v2i64"/><field name="uint128" type="uint128"/></union>
)";

void add(ArchDescription& d, std::string name, unsigned bits, const char* type, unsigned feature) {
  d.registers.push_back({std::move(name), bits, type, feature});
}

ArchDescription aarch64() {
  ArchDescription d{"aarch64",
                    {{"org.gnu.gdb.aarch64.core", "", ""},
                     {"org.gnu.gdb.aarch64.fpu", kAarch64Vector, ""},
                     {"org.tandem.aarch64.sys", "", "system"}},
                    {},
                    32};
  for (int i = 0; i < 31; ++i) add(d, "x" + std::to_string(i), 64, "int", 0);
  add(d, "sp", 64, "data_ptr", 0);
  add(d, "pc", 64, "code_ptr", 0);
  add(d, "cpsr", 32, "uint32", 0);
  for (int i = 0; i < 32; ++i) add(d, "v" + std::to_string(i), 128, "aarch64v", 1);
  add(d, "fpsr", 32, "uint32", 1);
  add(d, "fpcr", 32, "uint32", 1);
  for (const char* r :
       {"sp_el0", "sp_el1", "elr_el1", "spsr_el1", "esr_el1", "far_el1", "vbar_el1", "sctlr_el1",
        "tcr_el1", "ttbr0_el1", "ttbr1_el1", "mair_el1", "tpidr_el0", "tpidr_el1", "hcr_el2"})
    add(d, r, 64, "uint64", 2);
  return d;
}

ArchDescription riscv64() {
  ArchDescription d{"riscv:rv64",
                    {{"org.gnu.gdb.riscv.cpu", "", ""},
                     {"org.gnu.gdb.riscv.fpu", "", ""},
                     {"org.gnu.gdb.riscv.csr", "", "system"}},
                    {},
                    32};
  static constexpr const char* kAbi[32] = {"zero", "ra", "sp",  "gp",  "tp", "t0", "t1", "t2",
                                           "fp",   "s1", "a0",  "a1",  "a2", "a3", "a4", "a5",
                                           "a6",   "a7", "s2",  "s3",  "s4", "s5", "s6", "s7",
                                           "s8",   "s9", "s10", "s11", "t3", "t4", "t5", "t6"};
  for (int i = 0; i < 32; ++i)
    add(d, kAbi[i], 64, i == 1 ? "code_ptr" : i == 2 ? "data_ptr" : "int", 0);
  add(d, "pc", 64, "code_ptr", 0);
  static constexpr const char* kFpAbi[32] = {
      "ft0", "ft1", "ft2", "ft3", "ft4",  "ft5",  "ft6", "ft7", "fs0",  "fs1", "fa0",
      "fa1", "fa2", "fa3", "fa4", "fa5",  "fa6",  "fa7", "fs2", "fs3",  "fs4", "fs5",
      "fs6", "fs7", "fs8", "fs9", "fs10", "fs11", "ft8", "ft9", "ft10", "ft11"};
  for (int i = 0; i < 32; ++i) add(d, kFpAbi[i], 64, "ieee_double", 1);
  add(d, "fflags", 32, "int", 1);
  add(d, "frm", 32, "int", 1);
  add(d, "fcsr", 32, "int", 1);
  for (const char* r : {"sstatus", "sie", "stvec", "scounteren", "sscratch", "sepc", "scause",
                        "stval", "sip", "satp"})
    add(d, r, 64, "int", 2);
  return d;
}

ArchDescription x86_64() {
  ArchDescription d{"i386:x86-64",
                    {{"org.gnu.gdb.i386.core", "", ""},
                     {"org.gnu.gdb.i386.sse", kX86Vector, ""},
                     {"org.gnu.gdb.i386.segments", "", ""},
                     {"org.tandem.x86_64.sys", "", "system"}},
                    {},
                    16};
  for (const char* r : {"rax", "rbx", "rcx", "rdx", "rsi", "rdi"}) add(d, r, 64, "int64", 0);
  add(d, "rbp", 64, "data_ptr", 0);
  add(d, "rsp", 64, "data_ptr", 0);
  for (int i = 8; i < 16; ++i) add(d, "r" + std::to_string(i), 64, "int64", 0);
  add(d, "rip", 64, "code_ptr", 0);
  add(d, "eflags", 32, "int32", 0);
  for (const char* r : {"cs", "ss", "ds", "es", "fs", "gs"}) add(d, r, 32, "int32", 0);
  for (int i = 0; i < 8; ++i) add(d, "st" + std::to_string(i), 80, "i387_ext", 0);
  for (const char* r : {"fctrl", "fstat", "ftag", "fiseg", "fioff", "foseg", "fooff", "fop"})
    add(d, r, 32, "int", 0);
  for (int i = 0; i < 16; ++i) add(d, "xmm" + std::to_string(i), 128, "vec128", 1);
  add(d, "mxcsr", 32, "int", 1);
  add(d, "fs_base", 64, "int", 2);
  add(d, "gs_base", 64, "int", 2);
  for (const char* r : {"cr0", "cr2", "cr3", "cr4", "efer"}) add(d, r, 64, "uint64", 3);
  return d;
}

}  // namespace

const ArchDescription& describe(Arch arch) {
  static const ArchDescription kAarch64 = aarch64();
  static const ArchDescription kRiscv64 = riscv64();
  static const ArchDescription kX86_64 = x86_64();
  switch (arch) {
    case Arch::kAarch64: return kAarch64;
    case Arch::kRiscv64: return kRiscv64;
    case Arch::kX86_64: break;
  }
  return kX86_64;
}

std::string target_xml(const ArchDescription& desc) {
  std::string xml =
      "<?xml version=\"1.0\"?>\n<!DOCTYPE target SYSTEM \"gdb-target.dtd\">\n"
      "<target version=\"1.0\">\n<architecture>";
  xml += desc.architecture;
  xml += "</architecture>\n";
  for (unsigned f = 0; f < desc.features.size(); ++f) {
    xml += "<feature name=\"";
    xml += desc.features[f].name;
    xml += "\">\n";
    xml += desc.features[f].types;
    for (unsigned i = 0; i < desc.registers.size(); ++i) {
      const RegisterDesc& r = desc.registers[i];
      if (r.feature != f) continue;
      xml += "<reg name=\"" + r.name + "\" bitsize=\"" + std::to_string(r.bits) + "\" type=\"" +
             r.type + "\" regnum=\"" + std::to_string(i) + "\"";
      if (*desc.features[f].group != '\0')
        xml += std::string(" group=\"") + desc.features[f].group + "\"";
      xml += "/>\n";
    }
    xml += "</feature>\n";
  }
  xml += "</target>\n";
  return xml;
}

}  // namespace tandem::gdb

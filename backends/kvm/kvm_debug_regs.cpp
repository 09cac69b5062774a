// SPDX-License-Identifier: Apache-2.0
// The x86_64 target description's registers (backends/hosted/gdb/gdb_arch.h) from KVM's
// register sets (api.rst KVM_GET_REGS, KVM_GET_SREGS, KVM_GET_FPU). Writes reach the general
// registers, RIP and RFLAGS (KVM_SET_REGS), the control registers, EFER and the FS/GS bases
// (KVM_SET_SREGS); any other register accepts only the value it has (a G packet writes them
// all).
#include <sys/ioctl.h>

#include <algorithm>
#include <cstring>
#include <string>

#include "backends/hosted/gdb/gdb_arch.h"
#include "backends/kvm/kvm_debug.h"
#include "backends/kvm/kvm_vcpu.h"

namespace tandem::kvm {
namespace {

struct RegSets {
  kvm_regs regs{};
  kvm_sregs sregs{};
  kvm_fpu fpu{};
};

bool load(int fd, RegSets& s) {
  return ::ioctl(fd, KVM_GET_REGS, &s.regs) == 0 && ::ioctl(fd, KVM_GET_SREGS, &s.sregs) == 0 &&
         ::ioctl(fd, KVM_GET_FPU, &s.fpu) == 0;
}

// Which ioctl writes a register back.
enum class SetBy : unsigned char { kNone, kRegs, kSregs };

// Where register `name` lives in `s`, and how many bytes it has there; null when nowhere.
void* locate(RegSets& s, const std::string& name, size_t& size, SetBy& set) {
  static constexpr const char* kGprs[] = {"rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "rsp"};
  __u64* const gprs[] = {&s.regs.rax, &s.regs.rbx, &s.regs.rcx, &s.regs.rdx,
                         &s.regs.rsi, &s.regs.rdi, &s.regs.rbp, &s.regs.rsp};
  __u64* const high[] = {&s.regs.r8,  &s.regs.r9,  &s.regs.r10, &s.regs.r11,
                         &s.regs.r12, &s.regs.r13, &s.regs.r14, &s.regs.r15};
  size = 8;
  set = SetBy::kRegs;
  for (unsigned i = 0; i < 8; ++i) {
    if (name == kGprs[i]) return gprs[i];
    if (name == "r" + std::to_string(i + 8)) return high[i];
  }
  if (name == "rip") return &s.regs.rip;
  if (name == "eflags") return &s.regs.rflags;
  set = SetBy::kSregs;
  if (name == "fs_base") return &s.sregs.fs.base;
  if (name == "gs_base") return &s.sregs.gs.base;
  if (name == "cr0") return &s.sregs.cr0;
  if (name == "cr2") return &s.sregs.cr2;
  if (name == "cr3") return &s.sregs.cr3;
  if (name == "cr4") return &s.sregs.cr4;
  if (name == "efer") return &s.sregs.efer;
  set = SetBy::kNone;
  size = 2;
  kvm_segment* const segs[] = {&s.sregs.cs, &s.sregs.ss, &s.sregs.ds,
                               &s.sregs.es, &s.sregs.fs, &s.sregs.gs};
  static constexpr const char* kSegs[] = {"cs", "ss", "ds", "es", "fs", "gs"};
  for (unsigned i = 0; i < 6; ++i)
    if (name == kSegs[i]) return &segs[i]->selector;
  if (name == "fctrl") return &s.fpu.fcw;
  if (name == "fstat") return &s.fpu.fsw;
  if (name == "fop") return &s.fpu.last_opcode;
  size = 8;
  if (name == "fioff") return &s.fpu.last_ip;
  if (name == "fooff") return &s.fpu.last_dp;
  size = 4;
  if (name == "mxcsr") return &s.fpu.mxcsr;
  size = 10;
  for (unsigned i = 0; i < 8; ++i)
    if (name == "st" + std::to_string(i)) return s.fpu.fpr[i];
  size = 16;
  for (unsigned i = 0; i < 16; ++i)
    if (name == "xmm" + std::to_string(i)) return s.fpu.xmm[i];
  size = 0;
  return nullptr;  // ftag, fiseg, foseg: KVM's FPU state has no such fields (read as zero)
}

}  // namespace

bool KvmDebugger::read_register(unsigned cpu, unsigned index, std::span<uint8_t> out) {
  const auto& regs = gdb::describe(Arch::kX86_64).registers;
  RegSets s;
  if (cpu >= m_vcpus.size() || index >= regs.size() || !load(m_vcpus[cpu]->fd(), s)) return false;
  size_t size = 0;
  SetBy set = SetBy::kNone;
  const void* at = locate(s, regs[index].name, size, set);
  std::memset(out.data(), 0, out.size());
  if (at != nullptr) std::memcpy(out.data(), at, std::min(size, out.size()));
  return true;
}

bool KvmDebugger::write_register(unsigned cpu, unsigned index, std::span<const uint8_t> in) {
  const auto& regs = gdb::describe(Arch::kX86_64).registers;
  RegSets s;
  if (cpu >= m_vcpus.size() || index >= regs.size() || !load(m_vcpus[cpu]->fd(), s)) return false;
  size_t size = 0;
  SetBy set = SetBy::kNone;
  void* at = locate(s, regs[index].name, size, set);
  if (at == nullptr)  // reads as zero: only zero is "unchanged"
    return std::all_of(in.begin(), in.end(), [](uint8_t b) { return b == 0; });
  const size_t n = std::min(size, in.size());
  if (std::memcmp(at, in.data(), n) == 0) return true;
  if (set == SetBy::kNone) return false;
  std::memcpy(at, in.data(), n);
  const int fd = m_vcpus[cpu]->fd();
  return set == SetBy::kRegs ? ::ioctl(fd, KVM_SET_REGS, &s.regs) == 0
                             : ::ioctl(fd, KVM_SET_SREGS, &s.sregs) == 0;
}

}  // namespace tandem::kvm

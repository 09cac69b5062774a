// SPDX-License-Identifier: Apache-2.0
// Vm<H> on a scripted backend: each fake vCPU returns a fixed list of exits, so the run loop's
// decisions (what stops the VM, what it resumes, how errors surface) are checked without an
// emulator.
#include "core/vm/vm.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "backends/hosted/host_paging.h"
#include "core/mm/guest_memory.h"
#include "devices/char_sink.h"

namespace tandem {
namespace {

struct Script {
  std::deque<Result<VcpuExit>> exits;
  BootState boot;
  unsigned runs = 0;
  bool stop_requested = false;
};

Script g_script;  // one scripted vCPU per test

VcpuExit exit_of(ExitKind kind, uint64_t value = 0) {
  VcpuExit e;
  e.kind = kind;
  e.value = value;
  return e;
}

class FakeVcpu {
 public:
  Result<void> set_boot_state(const BootState& boot) {
    g_script.boot = boot;
    return ok();
  }
  Result<VcpuExit> run() {
    g_script.runs++;
    if (g_script.exits.empty()) return exit_of(ExitKind::kTimeout);
    Result<VcpuExit> e = std::move(g_script.exits.front());
    g_script.exits.pop_front();
    return e;
  }
  void request_stop() { g_script.stop_requested = true; }
};

class FakeMachine {
 public:
  using Vcpu = FakeVcpu;
  static Result<FakeMachine> create(const MachineSetup&) { return FakeMachine(); }
  Result<FakeVcpu> create_vcpu(unsigned) { return FakeVcpu(); }
};

struct FakeHal {
  using PagingHandler = hosted::HostPagingHandler;
  using Machine = FakeMachine;
  static uint64_t now_ns() { return 0; }
  static void idle_until(uint64_t) {}
  static void wake() {}
};
static_assert(Hal<FakeHal>);

class StringSink final : public CharSink {
 public:
  void put(uint8_t c) override { text.push_back(static_cast<char>(c)); }
  std::string text;
};

// A minimal aarch64 ELF64: one PT_LOAD of `code` at `addr`, entry at its start.
std::vector<uint8_t> tiny_elf(uint64_t addr, uint64_t memsz = 8) {
  std::vector<uint8_t> f(64 + 56 + 8, 0);
  auto put = [&](size_t off, uint64_t v, unsigned n) {
    for (unsigned i = 0; i < n; i++) f[off + i] = static_cast<uint8_t>(v >> (8 * i));
  };
  f[0] = 0x7f, f[1] = 'E', f[2] = 'L', f[3] = 'F', f[4] = 2, f[5] = 1, f[6] = 1;
  put(16, 2, 2);                       // ET_EXEC
  put(18, 183, 2);                     // EM_AARCH64
  put(20, 1, 4);                       // EV_CURRENT
  put(24, addr, 8);                    // e_entry
  put(32, 64, 8);                      // e_phoff
  put(52, 64, 2);                      // e_ehsize
  put(54, 56, 2);                      // e_phentsize
  put(56, 1, 2);                       // e_phnum
  put(64, 1, 4);                       // PT_LOAD
  put(68, 5, 4);                       // R|X
  put(72, 120, 8);                     // p_offset
  put(80, addr, 8);                    // p_vaddr
  put(88, addr, 8);                    // p_paddr
  put(96, 8, 8);                       // p_filesz
  put(104, memsz, 8);                  // p_memsz
  put(112, 4096, 8);                   // p_align
  put(120, 0xd503207fd503207full, 8);  // two WFIs
  return f;
}

class VmTest : public ::testing::Test {
 protected:
  void SetUp() override { g_script = Script{}; }

  const StopInfo& boot_and_run(std::vector<Result<VcpuExit>> exits) {
    VmError err;
    EXPECT_TRUE(vm.setup(VmConfig{Arch::kAarch64, 16ull << 20, 1}, err).ok())
        << to_string(err.step);
    EXPECT_TRUE(vm.load(tiny_elf(0x4020'0000), err).ok()) << to_string(err.step);
    for (auto& e : exits) g_script.exits.push_back(std::move(e));
    return vm.run();
  }

  hosted::HostPagingHandler paging;
  StringSink console;
  Vm<FakeHal> vm{paging, console, Arch::kAarch64};
};

TEST_F(VmTest, LoadsTheElfIntoRamAndSetsTheEntry) {
  VmError err;
  ASSERT_TRUE(vm.setup(VmConfig{Arch::kAarch64, 16ull << 20, 1}, err).ok());
  ASSERT_TRUE(vm.load(tiny_elf(0x4020'0000), err).ok());
  EXPECT_EQ(g_script.boot.pc, 0x4020'0000u);
  GuestMemory mem(vm.address_space());
  auto word = mem.read_obj<uint64_t>(Gpa(0x4020'0000));
  ASSERT_TRUE(word.ok());
  EXPECT_EQ(*word, 0xd503207fd503207full);
}

TEST_F(VmTest, RefusesAnImageOutsideRamAndABadRamSize) {
  VmError err;
  ASSERT_TRUE(vm.setup(VmConfig{Arch::kAarch64, 16ull << 20, 1}, err).ok());
  EXPECT_EQ(vm.load(tiny_elf(0x4100'0000 - 4), err).error(), Status::kOutOfRange);
  EXPECT_EQ(err.step, VmStep::kImage);
  EXPECT_EQ(vm.load(tiny_elf(0x4020'0000, 64ull << 20), err).error(), Status::kOutOfRange);

  hosted::HostPagingHandler other_paging;
  Vm<FakeHal> other{other_paging, console, Arch::kAarch64};
  EXPECT_EQ(other.setup(VmConfig{Arch::kAarch64, 12345, 1}, err).error(), Status::kOutOfRange);
  EXPECT_EQ(err.step, VmStep::kRamSize);
}

TEST_F(VmTest, PowerOffEndsTheRunWithTheGuestStatus) {
  const StopInfo& stop =
      boot_and_run({exit_of(ExitKind::kTimeout), exit_of(ExitKind::kSystemDown, 7)});
  EXPECT_EQ(stop.kind, StopKind::kPowerOff);
  EXPECT_EQ(stop.status, 7);
  EXPECT_EQ(g_script.runs, 2u);
}

TEST_F(VmTest, HaltWithNothingToWakeTheGuestStopsWithAFault) {
  const StopInfo& stop = boot_and_run({exit_of(ExitKind::kHalt)});
  EXPECT_EQ(stop.kind, StopKind::kFault);
  EXPECT_NE(std::string(stop.message).find("halted"), std::string::npos);
}

TEST_F(VmTest, BackendErrorsBecomeAnErrorStop) {
  const StopInfo& stop = boot_and_run({Result<VcpuExit>(Error(Status::kBackend))});
  EXPECT_EQ(stop.kind, StopKind::kError);
  EXPECT_NE(std::string(stop.message).find("backend error"), std::string::npos);
}

TEST_F(VmTest, FaultExitsCarryTheirReason) {
  VcpuExit e = exit_of(ExitKind::kFault);
  e.reason = "undefined instruction";
  e.addr = 0x1234;
  const StopInfo& stop = boot_and_run({e});
  EXPECT_EQ(stop.kind, StopKind::kFault);
  EXPECT_NE(std::string(stop.message).find("undefined instruction"), std::string::npos);
  EXPECT_NE(std::string(stop.message).find("0x1234"), std::string::npos);
}

TEST_F(VmTest, RequestStopEndsTheRunAsATimeout) {
  VmError err;
  ASSERT_TRUE(vm.setup(VmConfig{Arch::kAarch64, 16ull << 20, 1}, err).ok());
  ASSERT_TRUE(vm.load(tiny_elf(0x4020'0000), err).ok());
  vm.request_stop();
  EXPECT_TRUE(g_script.stop_requested);
  const StopInfo& stop = vm.run();
  EXPECT_EQ(stop.kind, StopKind::kTimeout);
  EXPECT_EQ(g_script.runs, 0u);
}

TEST_F(VmTest, UnknownMmioFaultsByDefaultAndIsIgnoredOnRequest) {
  VmError err;
  ASSERT_TRUE(vm.setup(VmConfig{Arch::kAarch64, 16ull << 20, 1}, err).ok());
  EXPECT_EQ(vm.exits().mmio_read(Gpa(0x0b00'0000), 4, 0), 0u);
  EXPECT_EQ(vm.exits().stop_info().kind, StopKind::kFault);

  hosted::HostPagingHandler other_paging;
  Vm<FakeHal> lax{other_paging, console, Arch::kAarch64};
  ASSERT_TRUE(
      lax.setup(VmConfig{Arch::kAarch64, 16ull << 20, 1, UnknownAccessPolicy::kIgnore}, err).ok());
  lax.exits().mmio_write(Gpa(0x0b00'0000), 4, 1, 0);
  EXPECT_FALSE(lax.exits().stopped());
}

TEST_F(VmTest, ThePl011WritesToTheConsole) {
  VmError err;
  ASSERT_TRUE(vm.setup(VmConfig{Arch::kAarch64, 16ull << 20, 1}, err).ok());
  vm.exits().mmio_write(Gpa(0x0900'0000), 1, 'h', 0);
  vm.exits().mmio_write(Gpa(0x0900'0000), 4, 'i', 0);
  EXPECT_EQ(console.text, "hi");
}

}  // namespace
}  // namespace tandem

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
  unsigned boots = 0;
  unsigned runs = 0;
  bool stop_requested = false;
  bool refuse_boot = false;  // set_boot_state fails (a backend that cannot restart a vCPU)
};

Script g_scripts[8];  // one scripted vCPU per index, reset by each test
Script& g_script = g_scripts[0];

// A device access as a backend hands it to VmExits::handle().
VcpuExit access(ExitKind kind, uint64_t addr, unsigned size, uint64_t value = 0) {
  VcpuExit e;
  e.kind = kind;
  e.addr = addr;
  e.size = static_cast<uint8_t>(size);
  e.value = value;
  return e;
}

VcpuExit exit_of(ExitKind kind, uint64_t value = 0) {
  VcpuExit e;
  e.kind = kind;
  e.value = value;
  return e;
}

// Runs its script, then halts (WFI) for good.
class FakeVcpu {
 public:
  explicit FakeVcpu(unsigned id) : m_script(&g_scripts[id]) {}
  Result<void> set_boot_state(const BootState& boot) {
    if (m_script->refuse_boot) return Error(Status::kUnsupported);
    m_script->boot = boot;
    m_script->boots++;
    return ok();
  }
  Result<VcpuExit> run() {
    m_script->runs++;
    if (m_script->exits.empty()) return exit_of(ExitKind::kHalt);
    Result<VcpuExit> e = std::move(m_script->exits.front());
    m_script->exits.pop_front();
    return e;
  }
  void request_stop() { m_script->stop_requested = true; }

 private:
  Script* m_script;
};

class FakeMachine {
 public:
  using Vcpu = FakeVcpu;
  static constexpr MachineTraits kTraits{.thread_per_vcpu = false,
                                         .hardware_timer = false,
                                         .per_cpu_setup = false,
                                         .ram_on_demand = false};
  static Result<FakeMachine> create(const MachineSetup&) { return FakeMachine(); }
  Result<FakeVcpu> create_vcpu(unsigned id) { return FakeVcpu(id); }
  IrqController* irq_controller() { return nullptr; }
};

struct FakeHal {
  using PagingHandler = hosted::HostPagingHandler;
  using Machine = FakeMachine;
  static uint64_t now_ns() { return 0; }
  static void idle_until(uint64_t) {}
  static void wake() {}
  static void poll_input() {}
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
  void SetUp() override {
    for (Script& script : g_scripts) script = Script{};
  }

  const StopInfo& boot_and_run(std::vector<Result<VcpuExit>> exits) {
    VmError err;
    EXPECT_TRUE(vm.setup(VmConfig{Arch::kAarch64, 16ull << 20, 1}, err).ok())
        << to_string(err.step);
    EXPECT_TRUE(vm.boot(BootFiles{tiny_elf(0x4020'0000)}, err).ok()) << to_string(err.step);
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
  ASSERT_TRUE(vm.boot(BootFiles{tiny_elf(0x4020'0000)}, err).ok());
  EXPECT_EQ(g_script.boot.pc, 0x4020'0000u);
  GuestMemory mem(vm.address_space());
  auto word = mem.read_obj<uint64_t>(Gpa(0x4020'0000));
  ASSERT_TRUE(word.ok());
  EXPECT_EQ(*word, 0xd503207fd503207full);
}

TEST_F(VmTest, RefusesAnImageOutsideRamAndABadRamSize) {
  VmError err;
  ASSERT_TRUE(vm.setup(VmConfig{Arch::kAarch64, 16ull << 20, 1}, err).ok());
  EXPECT_EQ(vm.boot(BootFiles{tiny_elf(0x4100'0000 - 4)}, err).error(), Status::kOutOfRange);
  EXPECT_EQ(err.step, VmStep::kImage);
  EXPECT_EQ(vm.boot(BootFiles{tiny_elf(0x4020'0000, 64ull << 20)}, err).error(),
            Status::kOutOfRange);

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
  ASSERT_TRUE(vm.boot(BootFiles{tiny_elf(0x4020'0000)}, err).ok());
  vm.request_stop();
  EXPECT_TRUE(g_script.stop_requested);
  const StopInfo& stop = vm.run();
  EXPECT_EQ(stop.kind, StopKind::kTimeout);
  EXPECT_EQ(g_script.runs, 0u);
}

TEST_F(VmTest, UnknownMmioFaultsByDefaultAndIsIgnoredOnRequest) {
  VmError err;
  ASSERT_TRUE(vm.setup(VmConfig{Arch::kAarch64, 16ull << 20, 1}, err).ok());
  VcpuExit read = access(ExitKind::kMmioRead, 0x0b00'0000, 4);
  EXPECT_EQ(vm.exits().handle(0, read), ExitAction::kReturn);
  EXPECT_EQ(vm.exits().stop_info().kind, StopKind::kFault);

  hosted::HostPagingHandler other_paging;
  Vm<FakeHal> lax{other_paging, console, Arch::kAarch64};
  ASSERT_TRUE(
      lax.setup(VmConfig{Arch::kAarch64, 16ull << 20, 1, UnknownAccessPolicy::kIgnore}, err).ok());
  VcpuExit write = access(ExitKind::kMmioWrite, 0x0b00'0000, 4, 1);
  EXPECT_EQ(lax.exits().handle(0, write), ExitAction::kResume);
  EXPECT_FALSE(lax.exits().stopped());
}

// A PSCI call from vCPU `cpu`, as the backends hand it to the VM.
VcpuExit psci(uint64_t fn, uint64_t a1 = 0, uint64_t a2 = 0, uint64_t a3 = 0) {
  VcpuExit e = exit_of(ExitKind::kHypercall);
  e.args[0] = fn, e.args[1] = a1, e.args[2] = a2, e.args[3] = a3;
  return e;
}

constexpr uint64_t kCpuOn = 0xC4000003;
constexpr uint64_t kAffinityInfo = 0xC4000004;
constexpr uint64_t kEntry = 0x4030'0000;

class VmSmpTest : public VmTest {
 protected:
  void boot(unsigned cpus) {
    VmError err;
    ASSERT_TRUE(vm.setup(VmConfig{Arch::kAarch64, 16ull << 20, cpus}, err).ok());
    ASSERT_TRUE(vm.boot(BootFiles{tiny_elf(0x4020'0000)}, err).ok());
  }
  // Runs PSCI call `e` on vCPU `cpu` and returns x0.
  uint64_t call(unsigned cpu, VcpuExit e) {
    vm.exits().handle(cpu, e);
    return e.args[0];
  }
};

TEST_F(VmSmpTest, OnlyTheBootVcpuIsOnAtFirst) {
  boot(3);
  EXPECT_EQ(vm.cpu_state(0), CpuPowerState::kOn);
  EXPECT_EQ(vm.cpu_state(1), CpuPowerState::kOff);
  EXPECT_EQ(vm.cpu_state(2), CpuPowerState::kOff);
  EXPECT_EQ(vm.cpu_state(3), CpuPowerState::kOff);  // no such vCPU
  EXPECT_EQ(g_scripts[1].boots, 0u);
}

TEST_F(VmSmpTest, CpuOnStartsTheTargetAtItsEntryWithTheContextInX0) {
  boot(2);
  EXPECT_EQ(call(0, psci(kCpuOn, 1, kEntry, 0x1234)), 0u);  // SUCCESS
  EXPECT_EQ(vm.cpu_state(1), CpuPowerState::kStarting);
  EXPECT_EQ(call(0, psci(kAffinityInfo, 1, 0)), 2u);  // ON_PENDING
  // The boot state is applied on the target's own turn, before it first runs.
  EXPECT_EQ(g_scripts[1].boots, 0u);
  g_scripts[1].exits.push_back(exit_of(ExitKind::kSystemDown, 5));
  const StopInfo& stop = vm.run();
  EXPECT_EQ(g_scripts[1].boots, 1u);
  EXPECT_EQ(g_scripts[1].boot.pc, kEntry);
  EXPECT_EQ(g_scripts[1].boot.args[0], 0x1234u);
  EXPECT_EQ(stop.kind, StopKind::kPowerOff);
  EXPECT_EQ(stop.status, 5);
  EXPECT_EQ(vm.cpu_state(1), CpuPowerState::kOn);
}

TEST_F(VmSmpTest, CpuOnErrorsFollowPsci) {
  boot(2);
  const auto code = [](uint64_t x0) { return static_cast<int64_t>(x0); };
  EXPECT_EQ(code(call(0, psci(kCpuOn, 2, kEntry))), -2);       // INVALID_PARAMETERS: no vCPU 2
  EXPECT_EQ(code(call(0, psci(kCpuOn, 0, kEntry))), -4);       // ALREADY_ON: the caller itself
  EXPECT_EQ(code(call(0, psci(kCpuOn, 1, 0x1000))), -9);       // INVALID_ADDRESS: not RAM
  EXPECT_EQ(code(call(0, psci(kCpuOn, 1, 0x4100'0000))), -9);  // just past the 16 MiB of RAM
  EXPECT_EQ(vm.cpu_state(1), CpuPowerState::kOff);
  EXPECT_EQ(code(call(0, psci(kCpuOn, 1, kEntry))), 0);
  EXPECT_EQ(code(call(0, psci(kCpuOn, 1, kEntry))), -5);  // ON_PENDING: starting already
}

TEST_F(VmSmpTest, ABackendThatCannotRestartAVcpuLeavesItOff) {
  boot(2);
  g_scripts[1].refuse_boot = true;
  EXPECT_EQ(call(0, psci(kCpuOn, 1, kEntry)), 0u);
  const StopInfo& stop = vm.run();
  EXPECT_EQ(vm.cpu_state(1), CpuPowerState::kOff);
  EXPECT_EQ(g_scripts[1].runs, 0u);
  // vCPU 0 halted with nothing to wake it: the VM stops with the message rather than hanging.
  EXPECT_EQ(stop.kind, StopKind::kFault);
  EXPECT_NE(std::string(stop.message).find("halted"), std::string::npos);
}

TEST_F(VmSmpTest, CpuOffStopsTheCallerAndTheLastOneOffEndsTheVm) {
  boot(2);
  EXPECT_EQ(call(0, psci(kCpuOn, 1, kEntry)), 0u);
  g_scripts[1].exits.push_back(psci(0x84000002));  // CPU_OFF on vCPU 1
  g_scripts[0].exits.push_back(exit_of(ExitKind::kTimeout));
  g_scripts[0].exits.push_back(exit_of(ExitKind::kTimeout));
  g_scripts[0].exits.push_back(psci(0x84000002));  // then vCPU 0, the last one on
  const StopInfo& stop = vm.run();
  EXPECT_EQ(vm.cpu_state(1), CpuPowerState::kOff);
  EXPECT_TRUE(g_scripts[1].stop_requested);
  EXPECT_EQ(stop.kind, StopKind::kPowerOff);  // PSCI: CPU_OFF of the last CPU powers off
  EXPECT_EQ(stop.status, 0);
}

TEST_F(VmTest, ThePl011WritesToTheConsole) {
  VmError err;
  ASSERT_TRUE(vm.setup(VmConfig{Arch::kAarch64, 16ull << 20, 1}, err).ok());
  VcpuExit h = access(ExitKind::kMmioWrite, 0x0900'0000, 1, 'h');
  VcpuExit i = access(ExitKind::kMmioWrite, 0x0900'0000, 4, 'i');
  vm.exits().handle(0, h);
  vm.exits().handle(0, i);
  EXPECT_EQ(console.text, "hi");
}

// An arm64 Image header (booting.rst) with Debian's text_offset 0 and `image_size`, then code.
std::vector<uint8_t> arm64_image(uint64_t image_size) {
  std::vector<uint8_t> f(4096, 0);
  for (unsigned i = 0; i < 8; i++) f[0x10 + i] = static_cast<uint8_t>(image_size >> (8 * i));
  f[0x18] = 0xa;  // little-endian, 4K pages, anywhere
  f[0x38] = 'A', f[0x39] = 'R', f[0x3a] = 'M', f[0x3b] = 0x64;
  return f;
}

uint64_t chosen_u64(const fdt::Fdt& f, const char* name) {
  auto chosen = f.find_node("/chosen", 7);
  if (!chosen) return 0;
  auto p = f.property(*chosen, name);
  if (!p || p->size != 8) return 0;
  uint64_t v = 0;
  for (unsigned i = 0; i < 8; i++) v = v << 8 | p->data[i];
  return v;
}

std::vector<uint8_t> guest_bytes(Vm<FakeHal>& vm, uint64_t gpa, size_t n) {
  std::vector<uint8_t> out(n);
  EXPECT_TRUE(GuestMemory(vm.address_space()).read(Gpa(gpa), out).ok());
  return out;
}

TEST_F(VmTest, Arm64ImageGoesTwoMibAboveRamWithTheInitrdInChosen) {
  VmError err;
  ASSERT_TRUE(vm.setup(VmConfig{Arch::kAarch64, 256ull << 20, 1}, err).ok());
  const std::vector<uint8_t> kernel = arm64_image(8ull << 20);
  const std::vector<uint8_t> initrd(10000, 0x5a);
  ASSERT_TRUE(vm.boot(BootFiles{kernel, initrd, {}}, err).ok()) << to_string(err.step);
  // hw/arm/boot.c: RAM base + 2 MiB + text_offset; x0 = DTB (at the RAM base, below it), x1-x3 0.
  EXPECT_EQ(g_script.boot.pc, 0x4020'0000u);
  EXPECT_EQ(g_script.boot.args[0], 0x4000'0000u);
  EXPECT_EQ(g_script.boot.args[1] | g_script.boot.args[2] | g_script.boot.args[3], 0u);
  EXPECT_EQ(guest_bytes(vm, 0x4020'0038, 4), (std::vector<uint8_t>{'A', 'R', 'M', 0x64}));
  // The initrd at RAM base + min(RAM / 2, 128 MiB), named in /chosen of the DTB in RAM.
  EXPECT_EQ(guest_bytes(vm, 0x4800'0000, 2), (std::vector<uint8_t>{0x5a, 0x5a}));
  const std::vector<uint8_t> dtb = guest_bytes(vm, 0x4000'0000, kMaxDtbSize);
  auto f = fdt::Fdt::open(dtb);
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(chosen_u64(*f, "linux,initrd-start"), 0x4800'0000u);
  EXPECT_EQ(chosen_u64(*f, "linux,initrd-end"), 0x4800'0000u + 10000);
}

TEST_F(VmTest, KernelErrorsNameTheFileProblemAndThePlacement) {
  VmError err;
  ASSERT_TRUE(vm.setup(VmConfig{Arch::kAarch64, 16ull << 20, 1}, err).ok());
  const std::vector<uint8_t> gz = {0x1f, 0x8b, 8, 0};
  EXPECT_FALSE(vm.boot(BootFiles{gz, {}, {}}, err).ok());
  EXPECT_EQ(err.step, VmStep::kImage);
  EXPECT_EQ(err.image, ImageError::kCompressed);
  // image_size 64 MiB does not fit in 16 MiB of RAM.
  const std::vector<uint8_t> big = arm64_image(64ull << 20);
  err = {};
  EXPECT_EQ(vm.boot(BootFiles{big, {}, {}}, err).error(), Status::kOutOfRange);
  EXPECT_EQ(err.placement, PlacementError::kKernelOutsideRam);
  // 12 MiB of initrd beside a 1 MiB kernel in 16 MiB, 2 MiB kept for the DTB.
  const std::vector<uint8_t> small = arm64_image(1ull << 20);
  const std::vector<uint8_t> initrd(12ull << 20, 1);
  err = {};
  EXPECT_EQ(vm.boot(BootFiles{small, initrd, {}}, err).error(), Status::kOutOfRange);
  EXPECT_EQ(err.step, VmStep::kInitrd);
  EXPECT_EQ(err.placement, PlacementError::kInitrdTooBig);
}

TEST_F(VmTest, BiosRunsInPlaceFromFlashWithTheDtbAtTheRamBase) {
  VmError err;
  const std::vector<uint8_t> firmware = {0x01, 0x02, 0x03, 0x04, 0x1f, 0x20, 0x03, 0xd5};
  VmConfig config{Arch::kAarch64, 64ull << 20, 1};
  config.firmware = firmware;
  ASSERT_TRUE(vm.setup(config, err).ok()) << to_string(err.step);
  ASSERT_TRUE(vm.boot(BootFiles{}, err).ok()) << to_string(err.step);
  // QEMU's -bios: PC 0, x0..x3 = 0; the firmware at 0; the DTB at the RAM base (U-Boot's
  // qemu_arm64 reads it there); flash bank 1 erased.
  EXPECT_EQ(g_script.boot.pc, 0u);
  EXPECT_EQ(g_script.boot.args[0], 0u);
  EXPECT_EQ(guest_bytes(vm, 0, firmware.size()), firmware);
  EXPECT_TRUE(fdt::Fdt::open(guest_bytes(vm, 0x4000'0000, kMaxDtbSize)).ok());
  const Region* bank1 = vm.address_space().find(Gpa(0x0400'0000));
  ASSERT_NE(bank1, nullptr);
  EXPECT_EQ(bank1->kind, RegionKind::kMmio);
  EXPECT_EQ(bank1->size, 64ull << 20);
  // Firmware boots alone: a kernel beside it is refused.
  const std::vector<uint8_t> kernel = arm64_image(1ull << 20);
  EXPECT_EQ(vm.boot(BootFiles{kernel, {}, {}}, err).error(), Status::kInvalidArgument);
  EXPECT_EQ(err.step, VmStep::kFirmware);
}

TEST_F(VmTest, Riscv64RawBinaryGoesToOpenSbisNextStageAddressWithHartAndDtb) {
  hosted::HostPagingHandler rv_paging;
  Vm<FakeHal> rv{rv_paging, console, Arch::kRiscv64};
  VmError err;
  ASSERT_TRUE(rv.setup(VmConfig{Arch::kRiscv64, 64ull << 20, 1}, err).ok());
  const std::vector<uint8_t> raw = {0x73, 0x00, 0x50, 0x10};  // wfi
  ASSERT_TRUE(rv.boot(BootFiles{raw, {}, {}}, err).ok()) << to_string(err.step);
  EXPECT_EQ(g_script.boot.pc, 0x8020'0000u);
  EXPECT_EQ(g_script.boot.args[0], 0u);  // hart id
  EXPECT_TRUE(fdt::Fdt::open(guest_bytes(rv, g_script.boot.args[1], kMaxDtbSize)).ok());
  // riscv64 has no firmware flash: Tandem is the SBI.
  hosted::HostPagingHandler fw_paging;
  Vm<FakeHal> fw{fw_paging, console, Arch::kRiscv64};
  VmConfig config{Arch::kRiscv64, 64ull << 20, 1};
  config.firmware = raw;
  EXPECT_EQ(fw.setup(config, err).error(), Status::kUnsupported);
  EXPECT_EQ(err.step, VmStep::kFirmware);
}

}  // namespace
}  // namespace tandem

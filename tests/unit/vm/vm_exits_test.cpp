// SPDX-License-Identifier: Apache-2.0
// VmExits::handle(), the one entry point for decoded exits: the value a load's destination
// register receives (width and extension from the exit, so no backend decodes the syndrome
// again), firmware calls answered by the board, and a stop turned into the stop exit.
#include "core/vm/vm_exits.h"

#include <gtest/gtest.h>

#include "core/arch/aarch64/esr.h"
#include "core/board/boards.h"
#include "core/bus/device_bus.h"
#include "unit/devices/fakes.h"

namespace tandem {
namespace {

uint64_t zero_clock() { return 0; }

// Reads return `value`; a write powers the VM off with the written value.
class ByteDevice final : public Device {
 public:
  explicit ByteDevice(PowerControl& power) : m_power(power) {}
  const char* name() const override { return "byte"; }
  uint64_t read(uint64_t, unsigned) override { return value; }
  void write(uint64_t, unsigned, uint64_t v) override { m_power.system_off(static_cast<int>(v)); }
  uint64_t value = 0;

 private:
  PowerControl& m_power;
};

constexpr uint64_t kDevice = 0x0a00'0000;

class VmExitsTest : public ::testing::Test {
 protected:
  VmExitsTest() { EXPECT_TRUE(bus.add(BusSpace::kMmio, kDevice, 0x1000, device)); }

  DeviceBus bus;
  VmExits exits{bus};
  ByteDevice device{exits.stop_info()};
};

TEST_F(VmExitsTest, LoadValueFollowsTheDecodedDestination) {
  device.value = 0x80;
  // ldrsb w1, [x0] and ldrsb x1, [x0] from EL1: EC 0x24, IL, ISV, SAS 0 (byte), SSE (bit 21),
  // SRT 1, SF (bit 15) 0 / 1, DFSC translation fault level 2 (Arm ARM DDI 0487 D17.2.40).
  const uint32_t kEsrLdrsbW = 0x93210006;
  const uint32_t kEsrLdrsbX = 0x93218006;
  const uint64_t x[31] = {};
  for (const auto& [esr, want] :
       {std::pair{kEsrLdrsbW, 0xffff'ff80ull}, std::pair{kEsrLdrsbX, 0xffff'ffff'ffff'ff80ull}}) {
    VcpuExit e = aarch64::decode_trap({esr, kDevice, kDevice >> 8, 0x4000'0000}, x);
    ASSERT_EQ(e.kind, ExitKind::kMmioRead);
    EXPECT_EQ(exits.handle(0, e), ExitAction::kResume);
    EXPECT_EQ(e.value, want) << std::hex << esr;
    EXPECT_EQ(e.value, aarch64::dabt_load_value(aarch64::decode_data_abort(esr), 0x80));
  }
}

TEST_F(VmExitsTest, StopBecomesTheStopExit) {
  VcpuExit e;
  e.kind = ExitKind::kMmioWrite;
  e.addr = kDevice;
  e.size = 4;
  e.value = 7;
  e.pc = 0x4000'1000;
  EXPECT_EQ(exits.handle(0, e), ExitAction::kReturn);
  EXPECT_EQ(e.kind, ExitKind::kSystemDown);
  EXPECT_EQ(e.value, 7u);
  // Every later exit returns at once.
  VcpuExit again;
  again.kind = ExitKind::kMmioRead;
  again.addr = kDevice;
  again.size = 4;
  EXPECT_EQ(exits.handle(0, again), ExitAction::kReturn);
  EXPECT_EQ(again.kind, ExitKind::kSystemDown);
}

TEST_F(VmExitsTest, FirmwareCallsGoToTheBoard) {
  VcpuExit e;
  e.kind = ExitKind::kHypercall;
  e.args[0] = 0x8400'0000;  // PSCI_VERSION
  EXPECT_EQ(exits.handle(0, e), ExitAction::kResume);
  EXPECT_EQ(e.args[0], static_cast<uint64_t>(-1000));  // no board: not implemented
  EXPECT_EQ(e.results, 1u);                            // in x0 / a0 only

  test::StringSink sink;
  BoardSlot slot;
  auto board = slot.create(Arch::kRiscv64, nullptr, {exits.stop_info(), sink, &zero_clock});
  ASSERT_TRUE(board.ok());
  exits.set_board(*board);
  VcpuExit put;
  put.kind = ExitKind::kHypercall;
  put.args[0] = 'k';
  put.args[7] = 0x01;  // legacy console putchar: a7 is the extension, the 8th argument
  EXPECT_EQ(exits.handle(0, put), ExitAction::kResume);
  EXPECT_EQ(sink.out, "k");
  EXPECT_EQ(put.results, 2u);  // SBI: error in a0, value in a1 (SBI spec v2.0, 3)
  EXPECT_EQ(put.args[0], 0u);

  // sbi_get_spec_version (base extension 0x10, function 0): SBI_SUCCESS and the version.
  VcpuExit version;
  version.kind = ExitKind::kHypercall;
  version.args[7] = 0x10;
  EXPECT_EQ(exits.handle(0, version), ExitAction::kResume);
  EXPECT_EQ(version.results, 2u);
  EXPECT_EQ(version.args[0], 0u);
  EXPECT_NE(version.args[1], 0u);
}

TEST_F(VmExitsTest, PsciAnswersInX0Only) {
  test::StringSink sink;
  BoardSlot slot;
  auto board = slot.create(Arch::kAarch64, nullptr, {exits.stop_info(), sink, &zero_clock});
  ASSERT_TRUE(board.ok());
  exits.set_board(*board);
  VcpuExit e;
  e.kind = ExitKind::kHypercall;
  e.args[0] = 0x8400'0000;  // PSCI_VERSION (DEN0022 5.1.1): 1.1 is 0x10001
  EXPECT_EQ(exits.handle(0, e), ExitAction::kResume);
  EXPECT_EQ(e.results, 1u);
  EXPECT_EQ(e.args[0], 0x10001u);
}

// A system register no part of the VM implements is left to the CPU: kNotHandled, a read
// gives 0, and nothing stops.
TEST_F(VmExitsTest, UnimplementedSysRegIsNotHandled) {
  for (const ExitKind kind : {ExitKind::kSysRegRead, ExitKind::kSysRegWrite}) {
    VcpuExit e;
    e.kind = kind;
    e.addr = 0xc000;  // any id: this VM has no interrupt controller model
    e.size = 8;
    e.value = 5;
    EXPECT_EQ(exits.handle(0, e), ExitAction::kNotHandled);
    if (kind == ExitKind::kSysRegRead) {
      EXPECT_EQ(e.value, 0u);
    }
  }
  EXPECT_FALSE(exits.stopped());
  EXPECT_EQ(exits.exit_count(ExitKind::kSysRegRead), 0u);
}

}  // namespace
}  // namespace tandem

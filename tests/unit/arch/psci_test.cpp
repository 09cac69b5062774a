// SPDX-License-Identifier: Apache-2.0
// The function table and return codes follow Arm DEN0022D; where the spec leaves a choice the
// answers match qemu-system-aarch64 7.2 (-M virt, one CPU), read by a probe guest.
#include "core/arch/aarch64/psci.h"

#include <gtest/gtest.h>

#include <vector>

#include "fake_cpus.h"

namespace tandem {
namespace {

class RecordingPower final : public PowerControl {
 public:
  void system_off(int status) override { offs.push_back(status); }
  void system_reset() override { ++resets; }
  std::vector<int> offs;
  int resets = 0;
};

constexpr uint64_t u(int64_t v) { return static_cast<uint64_t>(v); }

class PsciTest : public ::testing::Test {
 protected:
  uint64_t call(uint64_t x0, uint64_t x1 = 0, uint64_t x2 = 0, uint64_t x3 = 0) {
    const uint64_t x[4] = {x0, x1, x2, x3};
    PsciContext ctx{power, cpus, caller};
    return psci_call(x, ctx);
  }
  RecordingPower power;
  CpuControl* cpus = nullptr;  // one vCPU unless a test sets a FakeCpus
  unsigned caller = 0;
};

TEST_F(PsciTest, VersionIs1_1) { EXPECT_EQ(call(PSCI_VERSION), 0x10001u); }

TEST_F(PsciTest, FeaturesTable) {
  struct Row {
    uint32_t fn;
    int64_t expected;
  };
  const Row rows[] = {
      {PSCI_VERSION, 0},
      {PSCI_CPU_SUSPEND, 0},
      {PSCI_CPU_SUSPEND64, 0},
      {PSCI_CPU_OFF, 0},
      {PSCI_CPU_ON, 0},
      {PSCI_CPU_ON64, 0},
      {PSCI_AFFINITY_INFO, 0},
      {PSCI_AFFINITY_INFO64, 0},
      {PSCI_MIGRATE, -1},
      {PSCI_MIGRATE64, -1},
      {PSCI_MIGRATE_INFO_TYPE, 0},
      {PSCI_MIGRATE_INFO_UP_CPU, -1},
      {PSCI_MIGRATE_INFO_UP_CPU64, -1},
      {PSCI_SYSTEM_OFF, 0},
      {PSCI_SYSTEM_RESET, 0},
      {PSCI_FEATURES, 0},
      {PSCI_CPU_FREEZE, -1},
      {PSCI_CPU_DEFAULT_SUSPEND, -1},
      {PSCI_CPU_DEFAULT_SUSPEND64, -1},
      {PSCI_NODE_HW_STATE, -1},
      {PSCI_NODE_HW_STATE64, -1},
      {PSCI_SYSTEM_SUSPEND, -1},
      {PSCI_SYSTEM_SUSPEND64, -1},
      {PSCI_SET_SUSPEND_MODE, -1},
      {PSCI_STAT_RESIDENCY, -1},
      {PSCI_STAT_RESIDENCY64, -1},
      {PSCI_STAT_COUNT, -1},
      {PSCI_STAT_COUNT64, -1},
      {PSCI_SYSTEM_RESET2, -1},
      {PSCI_SYSTEM_RESET2_64, -1},
      {PSCI_MEM_PROTECT, -1},
      {PSCI_MEM_PROTECT_CHECK_RANGE, -1},
      {PSCI_MEM_PROTECT_CHECK_RANGE64, -1},
      {0x80000000, -1},  // SMCCC_VERSION: an Arm architecture call, not PSCI
      {0x12345678, -1},
      {0x84000040, -1},
      {0xC4000000, -1},  // there is no SMC64 PSCI_VERSION
      {0xC4000008, -1},  // nor SMC64 SYSTEM_OFF
  };
  for (const Row& r : rows) EXPECT_EQ(call(PSCI_FEATURES, r.fn), u(r.expected)) << std::hex << r.fn;
  // The queried ID is 32 bits wide.
  EXPECT_EQ(call(PSCI_FEATURES, 0xFFFFFFFF'00000000ull | PSCI_CPU_ON), 0u);
  EXPECT_TRUE(power.offs.empty());
}

TEST_F(PsciTest, SystemOffAndReset) {
  EXPECT_EQ(call(PSCI_SYSTEM_OFF), 0u);
  EXPECT_EQ(power.offs, std::vector<int>{0});
  EXPECT_EQ(call(PSCI_SYSTEM_RESET), 0u);
  EXPECT_EQ(power.resets, 1);
}

TEST_F(PsciTest, CpuOnReportsTheOnlyCpuAsOnAndOthersAsAbsent) {
  EXPECT_EQ(call(PSCI_CPU_ON64, 0, 0x40200000, 0), u(PSCI_RET_ALREADY_ON));
  EXPECT_EQ(call(PSCI_CPU_ON64, 1, 0x40200000, 0), u(PSCI_RET_INVALID_PARAMETERS));
  EXPECT_EQ(call(PSCI_CPU_ON, 5, 0x40200000, 0), u(PSCI_RET_INVALID_PARAMETERS));
  EXPECT_EQ(call(PSCI_CPU_ON64, 0x1'0000'0000ull), u(PSCI_RET_INVALID_PARAMETERS));  // Aff3=1
  // SMC32: only W1 is the target, so the upper half is ignored.
  EXPECT_EQ(call(PSCI_CPU_ON, 0x1'0000'0000ull), u(PSCI_RET_ALREADY_ON));
  EXPECT_TRUE(power.offs.empty());
}

TEST_F(PsciTest, AffinityInfo) {
  EXPECT_EQ(call(PSCI_AFFINITY_INFO64, 0, 0), 0u);  // ON
  EXPECT_EQ(call(PSCI_AFFINITY_INFO, 0, 0), 0u);
  EXPECT_EQ(call(PSCI_AFFINITY_INFO64, 1, 0), u(PSCI_RET_INVALID_PARAMETERS));
  EXPECT_EQ(call(PSCI_AFFINITY_INFO64, 1, 1), 0u);  // higher levels are always on
}

TEST_F(PsciTest, MigrateInfoTypeSaysNoMigrationNeeded) {
  EXPECT_EQ(call(PSCI_MIGRATE_INFO_TYPE), 2u);
}

TEST_F(PsciTest, CpuSuspendStandbyReturnsSuccess) {
  EXPECT_EQ(call(PSCI_CPU_SUSPEND64, 0, 0x40200000, 0), 0u);
  EXPECT_EQ(call(PSCI_CPU_SUSPEND, 0x0001'0000), 0u);  // StateType bit alone is accepted
  EXPECT_EQ(call(PSCI_CPU_SUSPEND64, 0x0100'0000), u(PSCI_RET_INVALID_PARAMETERS));  // level 1
  EXPECT_TRUE(power.offs.empty());
}

TEST_F(PsciTest, CpuOffOfTheLastCpuPowersOff) {
  call(PSCI_CPU_OFF);
  EXPECT_EQ(power.offs, std::vector<int>{0});
}

TEST_F(PsciTest, UnknownAndUnimplementedCallsAreNotSupported) {
  for (uint64_t fn : {uint64_t{0x8400001F}, uint64_t{0x12345678}, uint64_t{PSCI_MIGRATE64},
                      uint64_t{PSCI_MIGRATE_INFO_UP_CPU64}, uint64_t{PSCI_SYSTEM_SUSPEND64},
                      uint64_t{PSCI_SYSTEM_RESET2}, uint64_t{0xC4000008}})
    EXPECT_EQ(call(fn), u(PSCI_RET_NOT_SUPPORTED)) << std::hex << fn;
  EXPECT_TRUE(power.offs.empty());
  EXPECT_EQ(power.resets, 0);
}

TEST_F(PsciTest, FunctionIdIsW0) {
  EXPECT_EQ(call(0xDEAD'BEEF'0000'0000ull | PSCI_VERSION), 0x10001u);
}

// psci_arg_regs() is what a backend reads before psci_call(): the registers past it must not
// change any answer. Each call runs with those registers 0 and with them garbage (in a
// register's and a W register's worth); results and power requests must be the same.
TEST_F(PsciTest, RegistersPastArgRegsAreNeverRead) {
  const uint32_t fns[] = {
      PSCI_VERSION,       PSCI_CPU_SUSPEND,     PSCI_CPU_SUSPEND64,
      PSCI_AFFINITY_INFO, PSCI_AFFINITY_INFO64, PSCI_MIGRATE_INFO_TYPE,
      PSCI_FEATURES,      PSCI_SYSTEM_OFF,      PSCI_SYSTEM_RESET,
      PSCI_MIGRATE,       PSCI_CPU_FREEZE,      0x8000'0000u /* SMCCC_VERSION */};
  const uint64_t real[4] = {0, PSCI_FEATURES, 0, 0};  // args a call may read: valid ones
  for (const uint32_t fn : fns) {
    const unsigned n = psci_arg_regs(fn);
    ASSERT_GE(n, 1u) << std::hex << fn;
    ASSERT_LE(n, kPsciArgRegs) << std::hex << fn;
    for (const uint64_t junk : {uint64_t{0xFFFF'FFFF}, ~uint64_t{0}, uint64_t{0x1234'5678'9ABC}}) {
      uint64_t clean[4] = {fn, real[1], real[2], real[3]};
      uint64_t dirty[4] = {fn, real[1], real[2], real[3]};
      for (unsigned i = n; i < kPsciArgRegs; ++i) clean[i] = 0, dirty[i] = junk;
      RecordingPower p1, p2;
      PsciContext c1{p1, nullptr, 0}, c2{p2, nullptr, 0};
      EXPECT_EQ(psci_call(clean, c1), psci_call(dirty, c2)) << std::hex << fn << " junk " << junk;
      EXPECT_EQ(p1.offs, p2.offs) << std::hex << fn;
      EXPECT_EQ(p1.resets, p2.resets) << std::hex << fn;
    }
  }
  // The calls that take parameters read them.
  EXPECT_EQ(psci_arg_regs(PSCI_CPU_ON), 4u);
  EXPECT_EQ(psci_arg_regs(PSCI_CPU_ON64), 4u);
  EXPECT_EQ(psci_arg_regs(PSCI_AFFINITY_INFO64), 3u);
  EXPECT_EQ(psci_arg_regs(PSCI_FEATURES), 2u);
  EXPECT_EQ(psci_arg_regs(PSCI_VERSION), 1u);
}

}  // namespace
}  // namespace tandem

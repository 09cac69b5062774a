// SPDX-License-Identifier: Apache-2.0
// PSCI CPU_ON / AFFINITY_INFO / CPU_OFF with several vCPUs (Arm DEN0022D 5.1.4-5.1.5);
// results as qemu-system-aarch64 7.2 -M virt -smp N gives them (target/arm/psci.c).
#include <gtest/gtest.h>

#include <vector>

#include "core/arch/aarch64/psci.h"
#include "fake_cpus.h"

namespace tandem {
namespace {

using test::FakeCpus;

class Power final : public PowerControl {
 public:
  void system_off(int status) override { offs.push_back(status); }
  void system_reset() override {}
  std::vector<int> offs;
};

constexpr uint64_t u(int64_t v) { return static_cast<uint64_t>(v); }

class PsciSmpTest : public ::testing::Test {
 protected:
  uint64_t call(unsigned caller, uint64_t x0, uint64_t x1 = 0, uint64_t x2 = 0, uint64_t x3 = 0) {
    const uint64_t x[4] = {x0, x1, x2, x3};
    PsciContext ctx{power, &cpus, caller};
    return psci_call(x, ctx);
  }
  Power power;
  FakeCpus cpus{4};
};

TEST_F(PsciSmpTest, CpuOnStartsTheTargetWithEntryAndContext) {
  EXPECT_EQ(call(0, PSCI_CPU_ON64, 2, 0x4020'0000, 0xABCD), u(PSCI_RET_SUCCESS));
  ASSERT_EQ(cpus.on_calls.size(), 1u);
  EXPECT_EQ(cpus.on_calls[0].caller, 0u);
  EXPECT_EQ(cpus.on_calls[0].target, 2u);
  EXPECT_EQ(cpus.on_calls[0].entry, 0x4020'0000u);
  EXPECT_EQ(cpus.on_calls[0].context, 0xABCDu);
  // Until it runs the target is ON_PENDING, and a second CPU_ON says so (DEN0022D 5.1.4).
  EXPECT_EQ(call(0, PSCI_CPU_ON64, 2, 0x4020'0000, 0), u(PSCI_RET_ON_PENDING));
  cpus.states[2] = CpuPowerState::kOn;
  EXPECT_EQ(call(1, PSCI_CPU_ON64, 2, 0x4020'0000, 0), u(PSCI_RET_ALREADY_ON));
  EXPECT_EQ(call(1, PSCI_CPU_ON64, 0, 0x4020'0000, 0), u(PSCI_RET_ALREADY_ON));
}

TEST_F(PsciSmpTest, CpuOnSmc32UsesTheLowHalvesOnly) {
  EXPECT_EQ(call(0, PSCI_CPU_ON, 0xFFFF'FFFF'0000'0001ull, 0x1'4020'0000ull, 0x1'0000'0005ull),
            u(PSCI_RET_SUCCESS));
  EXPECT_EQ(cpus.on_calls.at(0).target, 1u);
  EXPECT_EQ(cpus.on_calls[0].entry, 0x4020'0000u);
  EXPECT_EQ(cpus.on_calls[0].context, 5u);
}

TEST_F(PsciSmpTest, CpuOnRejectsTargetsOutsideAff0) {
  EXPECT_EQ(call(0, PSCI_CPU_ON64, 0x100), u(PSCI_RET_INVALID_PARAMETERS));          // Aff1
  EXPECT_EQ(call(0, PSCI_CPU_ON64, 0x1'0000), u(PSCI_RET_INVALID_PARAMETERS));       // Aff2
  EXPECT_EQ(call(0, PSCI_CPU_ON64, 0x1'0000'0000), u(PSCI_RET_INVALID_PARAMETERS));  // Aff3
  EXPECT_EQ(call(0, PSCI_CPU_ON64, 0x8000'0001), u(PSCI_RET_INVALID_PARAMETERS));    // bit 31
  EXPECT_EQ(call(0, PSCI_CPU_ON64, 4), u(PSCI_RET_INVALID_PARAMETERS));              // only 4 vCPUs
  EXPECT_TRUE(cpus.on_calls.empty());
}

TEST_F(PsciSmpTest, CpuOnMapsEveryCpuControlResult) {
  struct Row {
    CpuOnResult result;
    int64_t expected;
  };
  const Row rows[] = {
      {CpuOnResult::kOk, PSCI_RET_SUCCESS},
      {CpuOnResult::kNoSuchCpu, PSCI_RET_INVALID_PARAMETERS},
      {CpuOnResult::kAlreadyOn, PSCI_RET_ALREADY_ON},  // target 3 is off, so not pending
      {CpuOnResult::kBadEntry, PSCI_RET_INVALID_ADDRESS},
      {CpuOnResult::kUnsupported, PSCI_RET_INTERNAL_FAILURE},
  };
  for (const Row& r : rows) {
    cpus.forced = &r.result;
    EXPECT_EQ(call(0, PSCI_CPU_ON64, 3, 0x4000'0000), u(r.expected)) << static_cast<int>(r.result);
  }
}

TEST_F(PsciSmpTest, AffinityInfoReportsEachState) {
  cpus.states = {CpuPowerState::kOn, CpuPowerState::kOff, CpuPowerState::kStarting,
                 CpuPowerState::kOn};
  EXPECT_EQ(call(0, PSCI_AFFINITY_INFO64, 0, 0), kPsciAffinityOn);
  EXPECT_EQ(call(0, PSCI_AFFINITY_INFO64, 1, 0), kPsciAffinityOff);
  EXPECT_EQ(call(0, PSCI_AFFINITY_INFO, 2, 0), kPsciAffinityOnPending);
  EXPECT_EQ(call(0, PSCI_AFFINITY_INFO64, 3, 0), kPsciAffinityOn);
  EXPECT_EQ(call(0, PSCI_AFFINITY_INFO64, 4, 0), u(PSCI_RET_INVALID_PARAMETERS));
  EXPECT_EQ(call(0, PSCI_AFFINITY_INFO64, 0x101, 0), u(PSCI_RET_INVALID_PARAMETERS));
  // Levels above 0 are always on, as in QEMU.
  EXPECT_EQ(call(0, PSCI_AFFINITY_INFO64, 1, 1), kPsciAffinityOn);
}

TEST_F(PsciSmpTest, CpuOffStopsTheCallerWhileOthersRun) {
  cpus.states[1] = CpuPowerState::kOn;
  call(1, PSCI_CPU_OFF);
  EXPECT_EQ(cpus.off_calls, std::vector<unsigned>{1});
  EXPECT_TRUE(power.offs.empty());
  EXPECT_EQ(call(0, PSCI_AFFINITY_INFO64, 1, 0), kPsciAffinityOff);
}

TEST_F(PsciSmpTest, CpuOffWithAnotherCpuStartingStopsOnlyTheCaller) {
  ASSERT_EQ(call(0, PSCI_CPU_ON64, 3, 0x4000'0000), u(PSCI_RET_SUCCESS));
  call(0, PSCI_CPU_OFF);
  EXPECT_EQ(cpus.off_calls, std::vector<unsigned>{0});
  EXPECT_TRUE(power.offs.empty());
}

TEST_F(PsciSmpTest, CpuOffOfTheLastCpuThatIsOnPowersOff) {
  cpus.states = {CpuPowerState::kOff, CpuPowerState::kOff, CpuPowerState::kOn, CpuPowerState::kOff};
  call(2, PSCI_CPU_OFF);
  EXPECT_TRUE(cpus.off_calls.empty());
  EXPECT_EQ(power.offs, std::vector<int>{0});
}

}  // namespace
}  // namespace tandem

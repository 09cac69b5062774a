// SPDX-License-Identifier: Apache-2.0
// Function table and error codes per the RISC-V SBI specification v2.0.
#include "core/arch/riscv64/sbi.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "devices/char_sink.h"

namespace tandem {
namespace {

class RecordingPower final : public PowerControl {
 public:
  void system_off(int status) override { offs.push_back(status); }
  void system_reset() override { ++resets; }
  std::vector<int> offs;
  int resets = 0;
};

class StringSink final : public CharSink {
 public:
  void put(uint8_t c) override { out.push_back(static_cast<char>(c)); }
  std::string out;
};

class SbiTest : public ::testing::Test {
 protected:
  SbiResult call(uint64_t eid, uint64_t fid, uint64_t a0 = 0, uint64_t a1 = 0, uint64_t a2 = 0) {
    const uint64_t a[8] = {a0, a1, a2, 0, 0, 0, fid, eid};
    return sbi_call(a, ctx);
  }
  RecordingPower power;
  StringSink console;
  SbiContext ctx{power, &console};
};

TEST_F(SbiTest, BaseExtension) {
  SbiResult r = call(SBI_EXT_BASE, SBI_BASE_GET_SPEC_VERSION);
  EXPECT_EQ(r.error, SBI_SUCCESS);
  EXPECT_EQ(r.value, 0x02000000u);  // major 2 in [30:24], minor 0
  r = call(SBI_EXT_BASE, SBI_BASE_GET_IMPL_ID);
  EXPECT_EQ(r.error, 0);
  EXPECT_GT(r.value, 11u);  // not a registered implementation ID (0..11 in table 4.9)
  EXPECT_EQ(r.value, kSbiImplIdTandem);
  r = call(SBI_EXT_BASE, SBI_BASE_GET_IMPL_VERSION);
  EXPECT_EQ(r.error, 0);
  EXPECT_EQ(r.value, 1u);  // 0.1
  for (uint64_t fid : {SBI_BASE_GET_MVENDORID, SBI_BASE_GET_MARCHID, SBI_BASE_GET_MIMPID}) {
    r = call(SBI_EXT_BASE, fid);
    EXPECT_EQ(r.error, 0) << fid;
    EXPECT_EQ(r.value, 0u) << fid;
  }
  r = call(SBI_EXT_BASE, 7);
  EXPECT_EQ(r.error, SBI_ERR_NOT_SUPPORTED);
}

TEST_F(SbiTest, ProbeExtension) {
  struct Row {
    uint64_t eid;
    uint64_t available;
  };
  const Row rows[] = {
      {0x00, 1},
      {0x01, 1},
      {0x02, 1},
      {0x03, 0},  // legacy clear_ipi
      {0x04, 0},
      {0x08, 1},
      {0x10, 1},
      {0x54494D45, 1},
      {0x48534D, 1},
      {0x53525354, 1},
      {0x735049, 0},         // IPI
      {0x52464E43, 0},       // RFENCE
      {0x504D55, 0},         // PMU
      {0x4442434E, 0},       // DBCN
      {0x53555350, 0},       // SUSP
      {0x43505043, 0},       // CPPC
      {0x535441, 0},         // STA
      {0x09000000, 0},       // vendor range
      {0x1'00000010ull, 0},  // upper bits set
  };
  for (const Row& row : rows) {
    SbiResult r = call(SBI_EXT_BASE, SBI_BASE_PROBE_EXTENSION, row.eid);
    EXPECT_EQ(r.error, 0) << std::hex << row.eid;
    EXPECT_EQ(r.value, row.available) << std::hex << row.eid;
  }
}

TEST_F(SbiTest, SystemResetExtension) {
  EXPECT_EQ(call(SBI_EXT_SRST, 0, SBI_SRST_TYPE_SHUTDOWN, SBI_SRST_REASON_NONE).error, 0);
  EXPECT_EQ(call(SBI_EXT_SRST, 0, SBI_SRST_TYPE_SHUTDOWN, SBI_SRST_REASON_SYSFAIL).error, 0);
  EXPECT_EQ(power.offs, (std::vector<int>{0, 0}));
  EXPECT_EQ(call(SBI_EXT_SRST, 0, SBI_SRST_TYPE_COLD_REBOOT).error, 0);
  EXPECT_EQ(call(SBI_EXT_SRST, 0, SBI_SRST_TYPE_WARM_REBOOT).error, 0);
  EXPECT_EQ(power.resets, 2);

  EXPECT_EQ(call(SBI_EXT_SRST, 0, 3).error, SBI_ERR_INVALID_PARAM);           // reserved type
  EXPECT_EQ(call(SBI_EXT_SRST, 0, 0xF0000000).error, SBI_ERR_INVALID_PARAM);  // vendor type
  EXPECT_EQ(call(SBI_EXT_SRST, 0, 0, 2).error, SBI_ERR_INVALID_PARAM);        // reserved reason
  EXPECT_EQ(call(SBI_EXT_SRST, 0, 0, 0xE0000000).error, SBI_ERR_INVALID_PARAM);
  EXPECT_EQ(call(SBI_EXT_SRST, 1).error, SBI_ERR_NOT_SUPPORTED);
  EXPECT_EQ(power.offs.size(), 2u);
  EXPECT_EQ(power.resets, 2);
  // reset_type is 32 bits: upper bits of a0 are not part of it.
  EXPECT_EQ(call(SBI_EXT_SRST, 0, 0xFFFF'FFFF'0000'0000ull).error, 0);
  EXPECT_EQ(power.offs.size(), 3u);
}

TEST_F(SbiTest, TimerRemembersTheDeadline) {
  EXPECT_EQ(ctx.timer_deadline, kSbiNoDeadline);
  SbiResult r = call(SBI_EXT_TIME, SBI_TIME_SET_TIMER, 123456789);
  EXPECT_EQ(r.error, 0);
  EXPECT_EQ(ctx.timer_deadline, 123456789u);
  EXPECT_EQ(call(SBI_EXT_TIME, 1, 5).error, SBI_ERR_NOT_SUPPORTED);
  EXPECT_EQ(ctx.timer_deadline, 123456789u);
  call(SBI_EXT_LEGACY_SET_TIMER, 0, 42);
  EXPECT_EQ(ctx.timer_deadline, 42u);
}

TEST_F(SbiTest, HartStateManagement) {
  EXPECT_EQ(call(SBI_EXT_HSM, SBI_HSM_HART_START, 0, 0x80200000).error, SBI_ERR_ALREADY_AVAILABLE);
  EXPECT_EQ(call(SBI_EXT_HSM, SBI_HSM_HART_START, 1, 0x80200000).error, SBI_ERR_INVALID_PARAM);
  SbiResult r = call(SBI_EXT_HSM, SBI_HSM_HART_GET_STATUS, 0);
  EXPECT_EQ(r.error, 0);
  EXPECT_EQ(r.value, kSbiHartStarted);
  EXPECT_EQ(call(SBI_EXT_HSM, SBI_HSM_HART_GET_STATUS, 3).error, SBI_ERR_INVALID_PARAM);
  EXPECT_EQ(call(SBI_EXT_HSM, SBI_HSM_HART_SUSPEND, 0).error, 0);  // retentive
  EXPECT_EQ(call(SBI_EXT_HSM, SBI_HSM_HART_SUSPEND, 0x80000000).error, SBI_ERR_NOT_SUPPORTED);
  EXPECT_EQ(call(SBI_EXT_HSM, SBI_HSM_HART_SUSPEND, 0x00000001).error, SBI_ERR_INVALID_PARAM);
  EXPECT_EQ(call(SBI_EXT_HSM, SBI_HSM_HART_SUSPEND, 0x10000000).error, SBI_ERR_INVALID_PARAM);
  EXPECT_EQ(call(SBI_EXT_HSM, 4).error, SBI_ERR_NOT_SUPPORTED);
  EXPECT_TRUE(power.offs.empty());
  EXPECT_EQ(call(SBI_EXT_HSM, SBI_HSM_HART_STOP).error, 0);  // the last hart: VM over
  EXPECT_EQ(power.offs, std::vector<int>{0});
}

TEST_F(SbiTest, LegacyConsoleAndShutdownPreserveA1) {
  for (char c : std::string("hi\n")) {
    SbiResult r = call(SBI_EXT_LEGACY_CONSOLE_PUTCHAR, 0, static_cast<uint8_t>(c), 0xA1A1);
    EXPECT_EQ(r.error, 0);
    EXPECT_EQ(r.value, 0xA1A1u);  // legacy calls return a0 only
  }
  EXPECT_EQ(console.out, "hi\n");
  SbiResult r = call(SBI_EXT_LEGACY_CONSOLE_GETCHAR, 0, 0, 7);
  EXPECT_EQ(r.error, -1);  // no input
  EXPECT_EQ(r.value, 7u);
  call(SBI_EXT_LEGACY_SHUTDOWN, 0);
  EXPECT_EQ(power.offs, std::vector<int>{0});
}

TEST_F(SbiTest, PutcharWithoutConsoleIsDropped) {
  SbiContext quiet{power, nullptr};
  const uint64_t a[8] = {'x', 0, 0, 0, 0, 0, 0, SBI_EXT_LEGACY_CONSOLE_PUTCHAR};
  EXPECT_EQ(sbi_call(a, quiet).error, 0);
}

TEST_F(SbiTest, UnknownExtensionsAreNotSupported) {
  const uint64_t unknown[] = {0x03,       0x735049,   0x52464E43,  0x4442434E,
                              0x0A000000, 0xFFFFFFFF, 0x1'00000010};
  for (uint64_t eid : unknown) {
    SbiResult r = call(eid, 0);
    EXPECT_EQ(r.error, SBI_ERR_NOT_SUPPORTED) << std::hex << eid;
    EXPECT_EQ(r.value, 0u);
  }
  EXPECT_TRUE(power.offs.empty());
  EXPECT_EQ(console.out, "");
}

}  // namespace
}  // namespace tandem

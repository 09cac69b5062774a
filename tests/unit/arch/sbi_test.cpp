// SPDX-License-Identifier: Apache-2.0
// Function table and error codes per the RISC-V SBI specification v2.0.
#include "core/arch/riscv64/sbi.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/mm/guest_memory.h"
#include "core/vcpu/cpu_control.h"
#include "devices/char_sink.h"
#include "tests/unit/mm/test_frame_allocator.h"

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

// Four harts; records every call.
class FakeCpus final : public CpuControl {
 public:
  struct On {
    unsigned caller;
    uint64_t target, entry, context;
    bool operator==(const On&) const = default;
  };
  CpuOnResult cpu_on(unsigned caller, uint64_t target, uint64_t entry, uint64_t context) override {
    ons.push_back({caller, target, entry, context});
    return result;
  }
  void cpu_off(unsigned caller) override { offs.push_back(caller); }
  CpuPowerState cpu_state(uint64_t target) const override {
    return target < 4 ? states[target] : CpuPowerState::kOff;
  }
  unsigned cpu_count() const override { return 4; }

  CpuOnResult result = CpuOnResult::kOk;
  CpuPowerState states[4] = {CpuPowerState::kOn, CpuPowerState::kOff, CpuPowerState::kStarting,
                             CpuPowerState::kOn};
  std::vector<On> ons;
  std::vector<unsigned> offs;
};

class FakeHarts final : public SbiHarts {
 public:
  void set_timer(unsigned hart, uint64_t stime_value) override {
    timers.emplace_back(hart, stime_value);
  }
  void send_ipi(unsigned hart) override { ipis.push_back(hart); }
  std::vector<std::pair<unsigned, uint64_t>> timers;
  std::vector<unsigned> ipis;
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
      {0x735049, 0},         // IPI: no SbiHarts in this context
      {0x52464E43, 1},       // RFENCE
      {0x504D55, 0},         // PMU
      {0x4442434E, 0},       // DBCN: no guest memory in this context
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

TEST_F(SbiTest, TimerWithoutHartsIsAcceptedAndDropped) {
  EXPECT_EQ(call(SBI_EXT_TIME, SBI_TIME_SET_TIMER, 123456789).error, 0);
  EXPECT_EQ(call(SBI_EXT_LEGACY_SET_TIMER, 0, 42, 0xA1).value, 0xA1u);
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
  // 0x03-0x07: legacy clear_ipi, send_ipi and remote fences; 0x735049: IPI without SbiHarts.
  const uint64_t unknown[] = {0x03,     0x04,       0x05,       0x06,       0x07,
                              0x735049, 0x4442434E, 0x0A000000, 0xFFFFFFFF, 0x1'00000010};
  for (uint64_t eid : unknown) {
    SbiResult r = call(eid, 0);
    EXPECT_EQ(r.error, SBI_ERR_NOT_SUPPORTED) << std::hex << eid;
    EXPECT_EQ(r.value, 0u);
  }
  EXPECT_TRUE(power.offs.empty());
  EXPECT_EQ(console.out, "");
}

// With the VM's CpuControl and SbiHarts: four harts, the caller is hart 2.
class SbiSmpTest : public SbiTest {
 protected:
  SbiSmpTest() {
    ctx.cpus = &cpus;
    ctx.harts = &harts;
    ctx.caller = 2;
  }
  FakeCpus cpus;
  FakeHarts harts;
};

TEST_F(SbiSmpTest, ProbeReportsEverySupportedExtension) {
  for (uint64_t eid :
       {SBI_EXT_BASE, SBI_EXT_TIME, SBI_EXT_IPI, SBI_EXT_RFENCE, SBI_EXT_HSM, SBI_EXT_SRST}) {
    EXPECT_EQ(call(SBI_EXT_BASE, SBI_BASE_PROBE_EXTENSION, eid).value, 1u) << std::hex << eid;
  }
}

TEST_F(SbiSmpTest, SetTimerGoesToTheCallersHart) {
  EXPECT_EQ(call(SBI_EXT_TIME, SBI_TIME_SET_TIMER, 123456789).error, 0);
  ctx.caller = 1;
  SbiResult r = call(SBI_EXT_LEGACY_SET_TIMER, 0, 42, 0xA1);
  EXPECT_EQ(r.error, 0);
  EXPECT_EQ(r.value, 0xA1u);  // legacy: a1 preserved
  EXPECT_EQ(call(SBI_EXT_TIME, 1, 5).error, SBI_ERR_NOT_SUPPORTED);
  const std::vector<std::pair<unsigned, uint64_t>> want = {{2, 123456789}, {1, 42}};
  EXPECT_EQ(harts.timers, want);
}

TEST_F(SbiSmpTest, SendIpiHartMask) {
  struct Row {
    uint64_t mask, base;
    int64_t error;
    std::vector<unsigned> sent;
  };
  const Row rows[] = {
      {0b101, 0, SBI_SUCCESS, {0, 2}},
      {0b11, 2, SBI_SUCCESS, {2, 3}},
      {0, ~0ull, SBI_SUCCESS, {0, 1, 2, 3}},  // base -1: every hart, whatever the mask
      {0, 0, SBI_SUCCESS, {}},
      {0, 3, SBI_SUCCESS, {}},
      {0b10000, 0, SBI_ERR_INVALID_PARAM, {}},  // hart 4 does not exist: nothing is sent
      {0b11, 3, SBI_ERR_INVALID_PARAM, {}},
      {1, 4, SBI_ERR_INVALID_PARAM, {}},
      {0, 4, SBI_ERR_INVALID_PARAM, {}},           // the base itself is not a hart
      {1ull << 63, 1, SBI_ERR_INVALID_PARAM, {}},  // hart 64, shifted out of 64 bits
      {1, ~0ull - 1, SBI_ERR_INVALID_PARAM, {}},
  };
  for (const Row& row : rows) {
    harts.ipis.clear();
    EXPECT_EQ(call(SBI_EXT_IPI, SBI_IPI_SEND_IPI, row.mask, row.base).error, row.error)
        << std::hex << row.mask << " " << row.base;
    EXPECT_EQ(harts.ipis, row.sent) << std::hex << row.mask << " " << row.base;
  }
  EXPECT_EQ(call(SBI_EXT_IPI, 1, 1, 0).error, SBI_ERR_NOT_SUPPORTED);
}

TEST_F(SbiSmpTest, RemoteFencesCheckTheHartMask) {
  for (uint64_t fid = SBI_RFENCE_REMOTE_FENCE_I; fid <= SBI_RFENCE_REMOTE_HFENCE_VVMA; ++fid) {
    EXPECT_EQ(call(SBI_EXT_RFENCE, fid, 0b1111, 0).error, SBI_SUCCESS) << fid;
    EXPECT_EQ(call(SBI_EXT_RFENCE, fid, 0, ~0ull).error, SBI_SUCCESS) << fid;
    EXPECT_EQ(call(SBI_EXT_RFENCE, fid, 0b11111, 0).error, SBI_ERR_INVALID_PARAM) << fid;
    EXPECT_EQ(call(SBI_EXT_RFENCE, fid, 1, 4).error, SBI_ERR_INVALID_PARAM) << fid;
  }
  EXPECT_EQ(call(SBI_EXT_RFENCE, 7, 1, 0).error, SBI_ERR_NOT_SUPPORTED);
  // Without CpuControl there is one hart.
  ctx.cpus = nullptr;
  EXPECT_EQ(call(SBI_EXT_RFENCE, SBI_RFENCE_REMOTE_FENCE_I, 1, 0).error, SBI_SUCCESS);
  EXPECT_EQ(call(SBI_EXT_RFENCE, SBI_RFENCE_REMOTE_FENCE_I, 2, 0).error, SBI_ERR_INVALID_PARAM);
}

TEST_F(SbiSmpTest, HartStartMapsCpuOnResults) {
  const std::pair<CpuOnResult, int64_t> rows[] = {
      {CpuOnResult::kOk, SBI_SUCCESS},
      {CpuOnResult::kNoSuchCpu, SBI_ERR_INVALID_PARAM},
      {CpuOnResult::kAlreadyOn, SBI_ERR_ALREADY_AVAILABLE},
      {CpuOnResult::kBadEntry, SBI_ERR_INVALID_ADDRESS},
      {CpuOnResult::kUnsupported, SBI_ERR_FAILED},
  };
  for (const auto& [result, error] : rows) {
    cpus.result = result;
    SbiResult r = call(SBI_EXT_HSM, SBI_HSM_HART_START, 1, 0x80200000, 0xD7B);
    EXPECT_EQ(r.error, error) << static_cast<int>(result);
    EXPECT_EQ(r.value, 0u);
  }
  ASSERT_EQ(cpus.ons.size(), 5u);
  EXPECT_EQ(cpus.ons[0], (FakeCpus::On{2, 1, 0x80200000, 0xD7B}));
}

TEST_F(SbiSmpTest, HartStopAndStatus) {
  EXPECT_EQ(call(SBI_EXT_HSM, SBI_HSM_HART_STOP).error, SBI_SUCCESS);
  EXPECT_EQ(cpus.offs, std::vector<unsigned>{2});
  EXPECT_TRUE(power.offs.empty());  // the VM decides what the last hart stopping means

  const uint64_t want[] = {kSbiHartStarted, kSbiHartStopped, kSbiHartStartPending, kSbiHartStarted};
  for (uint64_t hart = 0; hart < 4; ++hart) {
    SbiResult r = call(SBI_EXT_HSM, SBI_HSM_HART_GET_STATUS, hart);
    EXPECT_EQ(r.error, SBI_SUCCESS) << hart;
    EXPECT_EQ(r.value, want[hart]) << hart;
  }
  EXPECT_EQ(kSbiHartStopped, 1u);
  EXPECT_EQ(kSbiHartStartPending, 2u);
  EXPECT_EQ(call(SBI_EXT_HSM, SBI_HSM_HART_GET_STATUS, 4).error, SBI_ERR_INVALID_PARAM);
  EXPECT_EQ(call(SBI_EXT_HSM, SBI_HSM_HART_GET_STATUS, ~0ull).error, SBI_ERR_INVALID_PARAM);
  EXPECT_EQ(call(SBI_EXT_HSM, SBI_HSM_HART_SUSPEND, 0x80000000).error, SBI_ERR_NOT_SUPPORTED);
}

// With guest RAM for the debug console's buffers: 64 KiB at 0x80000000, a UART hole below it.
class SbiDbcnTest : public SbiTest {
 protected:
  static constexpr uint64_t kRam = 0x8000'0000, kRamSize = 0x1'0000;
  void SetUp() override {
    auto as = AddressSpace::create(m_alloc, Stage2Config::of(Stage2Format::kSv39x4));
    ASSERT_TRUE(as.ok());
    m_space.emplace(std::move(*as));
    ASSERT_TRUE(m_space->add_mmio(Gpa(0x1000'0000), 0x1000).ok());
    ASSERT_TRUE(m_space->add_ram_alloc(Gpa(kRam), kRamSize).ok());
    m_memory.emplace(*m_space);
    ctx.memory = &*m_memory;
  }
  void put(uint64_t gpa, const std::string& text) {
    ASSERT_TRUE(
        m_memory->write(Gpa(gpa), {reinterpret_cast<const uint8_t*>(text.data()), text.size()})
            .ok());
  }
  test::TestFrameAllocator m_alloc;
  std::optional<AddressSpace> m_space;
  std::optional<GuestMemory> m_memory;
};

TEST_F(SbiDbcnTest, ProbedOnlyWithGuestMemory) {
  EXPECT_EQ(call(SBI_EXT_BASE, SBI_BASE_PROBE_EXTENSION, SBI_EXT_DBCN).value, 1u);
  ctx.memory = nullptr;
  EXPECT_EQ(call(SBI_EXT_BASE, SBI_BASE_PROBE_EXTENSION, SBI_EXT_DBCN).value, 0u);
  EXPECT_EQ(call(SBI_EXT_DBCN, SBI_DBCN_CONSOLE_WRITE_BYTE, 'x').error, SBI_ERR_NOT_SUPPORTED);
  EXPECT_EQ(console.out, "");
}

TEST_F(SbiDbcnTest, WriteCopiesTheGuestBufferAndReturnsTheCount) {
  ASSERT_NO_FATAL_FAILURE(put(kRam + 0x100, "[    0.000000] Linux version 6.12\n"));
  const SbiResult r = call(SBI_EXT_DBCN, SBI_DBCN_CONSOLE_WRITE, 33, kRam + 0x100, 0);
  EXPECT_EQ(r.error, SBI_SUCCESS);
  EXPECT_EQ(r.value, 33u);
  EXPECT_EQ(console.out, "[    0.000000] Linux version 6.12");
  // Zero bytes: nothing written, success.
  EXPECT_EQ(call(SBI_EXT_DBCN, SBI_DBCN_CONSOLE_WRITE, 0, kRam, 0).value, 0u);
  EXPECT_EQ(call(SBI_EXT_DBCN, SBI_DBCN_CONSOLE_WRITE_BYTE, '!').error, SBI_SUCCESS);
  EXPECT_EQ(console.out, "[    0.000000] Linux version 6.12!");
}

TEST_F(SbiDbcnTest, LongWritesArePartialAndTheCallerWritesTheRest) {
  std::string text;
  for (int i = 0; text.size() < 1000; ++i) text += std::to_string(i) + ' ';
  ASSERT_NO_FATAL_FAILURE(put(kRam, text));
  uint64_t done = 0;
  unsigned calls = 0;
  while (done < text.size() && calls++ < 10) {
    const SbiResult r =
        call(SBI_EXT_DBCN, SBI_DBCN_CONSOLE_WRITE, text.size() - done, kRam + done, 0);
    ASSERT_EQ(r.error, SBI_SUCCESS);
    ASSERT_GT(r.value, 0u);
    ASSERT_LE(r.value, kSbiDbcnWriteChunk);
    done += r.value;
  }
  EXPECT_GT(calls, 1u);
  EXPECT_EQ(console.out, text);
}

TEST_F(SbiDbcnTest, BuffersOutsideRamAreInvalidParam) {
  ASSERT_NO_FATAL_FAILURE(put(kRam + kRamSize - 4, "tail"));
  struct Row {
    uint64_t fid, size, lo, hi;
  };
  const Row rows[] = {
      {SBI_DBCN_CONSOLE_WRITE, 8, kRam + kRamSize - 4, 0},  // runs past the end of RAM
      {SBI_DBCN_CONSOLE_WRITE, 4, 0x1000'0000, 0},          // the UART, not RAM
      {SBI_DBCN_CONSOLE_WRITE, 4, 0x4000'0000, 0},          // nothing there
      {SBI_DBCN_CONSOLE_WRITE, 4, kRam, 1},                 // base_addr_hi set on rv64
      {SBI_DBCN_CONSOLE_WRITE, 16, ~0ull - 3, 0},           // wraps around
      {SBI_DBCN_CONSOLE_READ, 8, kRam + kRamSize - 4, 0},
      {SBI_DBCN_CONSOLE_READ, 1, 0x1000'0000, 0},
  };
  for (const Row& row : rows) {
    const SbiResult r = call(SBI_EXT_DBCN, row.fid, row.size, row.lo, row.hi);
    EXPECT_EQ(r.error, SBI_ERR_INVALID_PARAM) << row.fid << std::hex << " " << row.lo;
    EXPECT_EQ(r.value, 0u);
  }
  EXPECT_EQ(console.out, "");  // not even the part that is in RAM
  EXPECT_EQ(call(SBI_EXT_DBCN, SBI_DBCN_CONSOLE_WRITE, 4, kRam + kRamSize - 4, 0).value, 4u);
  EXPECT_EQ(console.out, "tail");
  EXPECT_EQ(call(SBI_EXT_DBCN, 3).error, SBI_ERR_NOT_SUPPORTED);
}

TEST_F(SbiDbcnTest, ReadHasNoBytesConsoleInputIsTheUarts) {
  ASSERT_NO_FATAL_FAILURE(put(kRam, "keep"));
  const SbiResult r = call(SBI_EXT_DBCN, SBI_DBCN_CONSOLE_READ, 4, kRam, 0);
  EXPECT_EQ(r.error, SBI_SUCCESS);
  EXPECT_EQ(r.value, 0u);
  uint8_t bytes[4] = {};
  ASSERT_TRUE(m_memory->read(Gpa(kRam), bytes).ok());
  EXPECT_EQ(std::string(bytes, bytes + 4), "keep");  // the buffer is left alone
}

// sbi_arg_regs() is what a backend reads before sbi_call(): the argument registers past it must
// not change any answer or effect. Each call runs with them 0 and with them garbage; results,
// power requests, hart starts and stops, timers, IPIs and console output must be the same.
TEST_F(SbiDbcnTest, RegistersPastArgRegsAreNeverRead) {
  struct World {
    explicit World(GuestMemory& memory) { ctx.memory = &memory; }
    RecordingPower power;
    StringSink console;
    FakeCpus cpus;
    FakeHarts harts;
    SbiContext ctx{power, &console, &cpus, &harts, 1};
  };
  put(kRam, "abc");
  const uint64_t eids[] = {SBI_EXT_BASE,
                           SBI_EXT_TIME,
                           SBI_EXT_IPI,
                           SBI_EXT_RFENCE,
                           SBI_EXT_HSM,
                           SBI_EXT_SRST,
                           SBI_EXT_DBCN,
                           SBI_EXT_LEGACY_SET_TIMER,
                           SBI_EXT_LEGACY_CONSOLE_PUTCHAR,
                           SBI_EXT_LEGACY_CONSOLE_GETCHAR,
                           SBI_EXT_LEGACY_SHUTDOWN,
                           0x4,
                           0x12345678};
  // Valid arguments where a call reads them: a hart mask of harts 0-1 at base 0, hartid 3 with
  // an entry point in RAM, a 3-byte console buffer in RAM (its high address half 0).
  const uint64_t real[6] = {3, kRam, 0, 0, 0, 0};
  for (const uint64_t eid : eids) {
    const unsigned n = sbi_arg_regs(eid);
    ASSERT_LE(n, 6u) << std::hex << eid;
    for (uint64_t fid = 0; fid < 8; ++fid) {
      for (const uint64_t junk :
           {uint64_t{0xFFFF'FFFF}, ~uint64_t{0}, uint64_t{0x1234'5678'9ABC}}) {
        uint64_t clean[8] = {0, 0, 0, 0, 0, 0, fid, eid}, dirty[8] = {0, 0, 0, 0, 0, 0, fid, eid};
        for (unsigned r = 0; r < 6; ++r) {
          clean[r] = r < n ? real[r] : 0;
          dirty[r] = r < n ? real[r] : junk;
        }
        World w1(*m_memory), w2(*m_memory);
        const SbiResult r1 = sbi_call(clean, w1.ctx), r2 = sbi_call(dirty, w2.ctx);
        const auto where = ::testing::Message() << std::hex << "eid " << eid << " fid " << fid;
        EXPECT_EQ(r1.error, r2.error) << where;
        EXPECT_EQ(r1.value, r2.value) << where;
        EXPECT_EQ(w1.power.offs, w2.power.offs) << where;
        EXPECT_EQ(w1.power.resets, w2.power.resets) << where;
        EXPECT_EQ(w1.console.out, w2.console.out) << where;
        EXPECT_EQ(w1.cpus.ons, w2.cpus.ons) << where;
        EXPECT_EQ(w1.cpus.offs, w2.cpus.offs) << where;
        EXPECT_EQ(w1.harts.timers, w2.harts.timers) << where;
        EXPECT_EQ(w1.harts.ipis, w2.harts.ipis) << where;
      }
    }
  }
  // Legacy calls return the caller's a1 as `value`, so a1 is read.
  EXPECT_GE(sbi_arg_regs(SBI_EXT_LEGACY_CONSOLE_PUTCHAR), 2u);
  EXPECT_EQ(sbi_arg_regs(SBI_EXT_HSM), 3u);  // hart_start: hartid, start_addr, opaque
  EXPECT_EQ(sbi_arg_regs(SBI_EXT_TIME), 1u);
}

}  // namespace
}  // namespace tandem

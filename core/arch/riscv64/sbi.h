// SPDX-License-Identifier: Apache-2.0
// The RISC-V Supervisor Binary Interface, v2.0, as a hypervisor offers it to an S-mode guest
// (VS-mode on the H extension): a pure dispatcher from the caller's a0..a7 to the sbiret pair
// (a0 = error, a1 = value). Extensions: Base, TIME, IPI, RFENCE, HSM, SRST, DBCN (the debug
// console Linux's `earlycon=sbi` needs once it is built without the legacy calls, as Debian's
// 6.12 is) and the legacy console, timer and shutdown calls that early boot code still uses.
#pragma once

#include <cstdint>

#include "core/vm/power.h"

namespace tandem {

class CharSink;
class CpuControl;
class GuestMemory;

// Extension IDs (SBI spec v2.0, chapters 4-10; legacy: chapter 5).
inline constexpr uint64_t SBI_EXT_LEGACY_SET_TIMER = 0x00;
inline constexpr uint64_t SBI_EXT_LEGACY_CONSOLE_PUTCHAR = 0x01;
inline constexpr uint64_t SBI_EXT_LEGACY_CONSOLE_GETCHAR = 0x02;
inline constexpr uint64_t SBI_EXT_LEGACY_SHUTDOWN = 0x08;
inline constexpr uint64_t SBI_EXT_BASE = 0x10;
inline constexpr uint64_t SBI_EXT_TIME = 0x54494D45;    // "TIME"
inline constexpr uint64_t SBI_EXT_IPI = 0x735049;       // "sPI"
inline constexpr uint64_t SBI_EXT_RFENCE = 0x52464E43;  // "RFNC"
inline constexpr uint64_t SBI_EXT_HSM = 0x48534D;       // "HSM"
inline constexpr uint64_t SBI_EXT_SRST = 0x53525354;    // "SRST"
inline constexpr uint64_t SBI_EXT_DBCN = 0x4442434E;    // "DBCN"

// Base extension function IDs (chapter 4).
inline constexpr uint64_t SBI_BASE_GET_SPEC_VERSION = 0;
inline constexpr uint64_t SBI_BASE_GET_IMPL_ID = 1;
inline constexpr uint64_t SBI_BASE_GET_IMPL_VERSION = 2;
inline constexpr uint64_t SBI_BASE_PROBE_EXTENSION = 3;
inline constexpr uint64_t SBI_BASE_GET_MVENDORID = 4;
inline constexpr uint64_t SBI_BASE_GET_MARCHID = 5;
inline constexpr uint64_t SBI_BASE_GET_MIMPID = 6;

inline constexpr uint64_t SBI_TIME_SET_TIMER = 0;

inline constexpr uint64_t SBI_IPI_SEND_IPI = 0;

// RFENCE function IDs 0..6 (chapter 8): remote_fence_i, remote_sfence_vma,
// remote_sfence_vma_asid, remote_hfence_gvma_vmid, remote_hfence_gvma, remote_hfence_vvma_asid,
// remote_hfence_vvma.
inline constexpr uint64_t SBI_RFENCE_REMOTE_FENCE_I = 0;
inline constexpr uint64_t SBI_RFENCE_REMOTE_SFENCE_VMA = 1;
inline constexpr uint64_t SBI_RFENCE_REMOTE_SFENCE_VMA_ASID = 2;
inline constexpr uint64_t SBI_RFENCE_REMOTE_HFENCE_VVMA = 6;

inline constexpr uint64_t SBI_HSM_HART_START = 0;
inline constexpr uint64_t SBI_HSM_HART_STOP = 1;
inline constexpr uint64_t SBI_HSM_HART_GET_STATUS = 2;
inline constexpr uint64_t SBI_HSM_HART_SUSPEND = 3;

inline constexpr uint64_t SBI_SRST_SYSTEM_RESET = 0;
inline constexpr uint32_t SBI_SRST_TYPE_SHUTDOWN = 0;
inline constexpr uint32_t SBI_SRST_TYPE_COLD_REBOOT = 1;
inline constexpr uint32_t SBI_SRST_TYPE_WARM_REBOOT = 2;
inline constexpr uint32_t SBI_SRST_REASON_NONE = 0;
inline constexpr uint32_t SBI_SRST_REASON_SYSFAIL = 1;

// Debug console function IDs (chapter 12).
inline constexpr uint64_t SBI_DBCN_CONSOLE_WRITE = 0;
inline constexpr uint64_t SBI_DBCN_CONSOLE_READ = 1;
inline constexpr uint64_t SBI_DBCN_CONSOLE_WRITE_BYTE = 2;
// Bytes one console_write call takes at most: the call returns how many it wrote and the caller
// writes the rest (chapter 12.1), so a huge request does not hold the VM up.
inline constexpr uint64_t kSbiDbcnWriteChunk = 256;

// Standard error codes (chapter 3, table 1).
inline constexpr int64_t SBI_SUCCESS = 0;
inline constexpr int64_t SBI_ERR_FAILED = -1;
inline constexpr int64_t SBI_ERR_NOT_SUPPORTED = -2;
inline constexpr int64_t SBI_ERR_INVALID_PARAM = -3;
inline constexpr int64_t SBI_ERR_DENIED = -4;
inline constexpr int64_t SBI_ERR_INVALID_ADDRESS = -5;
inline constexpr int64_t SBI_ERR_ALREADY_AVAILABLE = -6;
inline constexpr int64_t SBI_ERR_ALREADY_STARTED = -7;
inline constexpr int64_t SBI_ERR_ALREADY_STOPPED = -8;
inline constexpr int64_t SBI_ERR_NO_SHMEM = -9;

// get_spec_version: minor in [23:0], major in [30:24] (chapter 4.1).
inline constexpr uint64_t kSbiSpecVersion2_0 = 2ull << 24;
// get_impl_id: the registered IDs are small integers (0 BBL, 1 OpenSBI, ... 11 bhyve, table 4.9);
// Tandem is not registered, so it answers with "TNDM" in ASCII, far outside that range.
inline constexpr uint64_t kSbiImplIdTandem = 0x544E444D;
// get_impl_version: implementation-defined encoding; Tandem uses major << 16 | minor (0.1).
inline constexpr uint64_t kSbiImplVersion = (0ull << 16) | 1;
// hart_get_status states (chapter 9, "HSM Hart States").
inline constexpr uint64_t kSbiHartStarted = 0;
inline constexpr uint64_t kSbiHartStopped = 1;
inline constexpr uint64_t kSbiHartStartPending = 2;
// hart_mask_base selecting every hart, whatever hart_mask says (chapter 3.1).
inline constexpr uint64_t kSbiHartMaskBaseAll = ~uint64_t{0};

struct SbiResult {
  int64_t error;   // a0
  uint64_t value;  // a1
};

// The per-hart interrupt sources SBI calls drive; the board's interrupt model implements it.
class SbiHarts {
 public:
  // Chapter 6.1: the supervisor timer of `hart` fires once time >= stime_value; a new value
  // clears a pending timer interrupt unless it is already due.
  virtual void set_timer(unsigned hart, uint64_t stime_value) = 0;
  // Chapter 7.1: a supervisor software interrupt (sip.SSIP) on `hart`.
  virtual void send_ipi(unsigned hart) = 0;

 protected:
  ~SbiHarts() = default;
};

// What the SBI implementation needs from the VM, for one call by hart `caller`. `console` may
// be null (output dropped); without `memory` (guest RAM, for the debug console's buffers) DBCN is
// not available. Without `cpus` the VM has one hart, 0, and stopping it powers the VM
// off; without `harts` timer requests are dropped and IPI is not available.
struct SbiContext {
  PowerControl& power;
  CharSink* console;
  CpuControl* cpus = nullptr;
  SbiHarts* harts = nullptr;
  unsigned caller = 0;
  GuestMemory* memory = nullptr;
};

// How many of a0..a5 sbi_call() reads for extension `eid` (besides a6 and a7): a backend where
// each register read costs something (emu: about 40 host instructions in Unicorn 2.1.1) reads
// only those and passes 0 for the rest. Legacy calls count a1, which they return unchanged.
unsigned sbi_arg_regs(uint64_t eid);

// a[0..7] are the caller's a0..a7 (a7 = EID, a6 = FID). The VM writes error to a0 and value to
// a1. Legacy extensions only return a0 and preserve every other register (chapter 5), so for
// them `value` is the caller's own a1.
SbiResult sbi_call(const uint64_t a[8], SbiContext& ctx);

}  // namespace tandem

// SPDX-License-Identifier: Apache-2.0
#include "core/arch/riscv64/sbi.h"

#include <optional>

#include "core/base/log.h"
#include "core/mm/guest_memory.h"
#include "core/vcpu/cpu_control.h"
#include "devices/char_sink.h"

namespace tandem {
namespace {

constexpr SbiResult success(uint64_t value = 0) { return {SBI_SUCCESS, value}; }
constexpr SbiResult err(int64_t code) { return {code, 0}; }

// Without CpuControl the VM has one hart, hartid 0.
constexpr uint64_t kBootHart = 0;

unsigned hart_count(const SbiContext& ctx) {
  return ctx.cpus != nullptr ? ctx.cpus->cpu_count() : 1;
}

// Chapter 3.1, hart list: bit i of hart_mask selects hart hart_mask_base + i. The harts as a
// bit set, or nullopt when the base or a selected hart does not exist (INVALID_PARAM).
std::optional<uint64_t> selected_harts(uint64_t mask, uint64_t base, unsigned count) {
  const uint64_t all = count >= 64 ? ~uint64_t{0} : (uint64_t{1} << count) - 1;
  if (base == kSbiHartMaskBaseAll) return all;
  if (base >= count) return std::nullopt;
  const uint64_t set = mask << base;
  if ((set >> base) != mask || (set & ~all) != 0) return std::nullopt;
  return set;
}

bool extension_available(uint64_t eid, const SbiContext& ctx) {
  switch (eid) {
    case SBI_EXT_LEGACY_SET_TIMER:
    case SBI_EXT_LEGACY_CONSOLE_PUTCHAR:
    case SBI_EXT_LEGACY_CONSOLE_GETCHAR:
    case SBI_EXT_LEGACY_SHUTDOWN:
    case SBI_EXT_BASE:
    case SBI_EXT_TIME:
    case SBI_EXT_RFENCE:
    case SBI_EXT_HSM:
    case SBI_EXT_SRST: return true;
    case SBI_EXT_IPI: return ctx.harts != nullptr;
    case SBI_EXT_DBCN: return ctx.memory != nullptr;
    default: return false;
  }
}

SbiResult base_call(uint64_t fid, const uint64_t a[8], const SbiContext& ctx) {
  switch (fid) {
    case SBI_BASE_GET_SPEC_VERSION: return success(kSbiSpecVersion2_0);
    case SBI_BASE_GET_IMPL_ID: return success(kSbiImplIdTandem);
    case SBI_BASE_GET_IMPL_VERSION: return success(kSbiImplVersion);
    // Chapter 4.4: 0 = not available, 1 = available.
    case SBI_BASE_PROBE_EXTENSION: return success(extension_available(a[0], ctx) ? 1 : 0);
    // Chapter 4.5-4.7: 0 is always a legal mvendorid/marchid/mimpid.
    case SBI_BASE_GET_MVENDORID:
    case SBI_BASE_GET_MARCHID:
    case SBI_BASE_GET_MIMPID: return success(0);
    default: return err(SBI_ERR_NOT_SUPPORTED);
  }
}

// The SBI error for a CpuControl::cpu_on() result (chapter 9.1).
int64_t hart_start_error(CpuOnResult r) {
  switch (r) {
    case CpuOnResult::kOk: return SBI_SUCCESS;
    case CpuOnResult::kNoSuchCpu: return SBI_ERR_INVALID_PARAM;
    case CpuOnResult::kAlreadyOn: return SBI_ERR_ALREADY_AVAILABLE;
    case CpuOnResult::kBadEntry: return SBI_ERR_INVALID_ADDRESS;
    case CpuOnResult::kUnsupported: return SBI_ERR_FAILED;
  }
  return SBI_ERR_FAILED;
}

SbiResult hart_status(uint64_t hartid, const SbiContext& ctx) {
  if (ctx.cpus == nullptr) {
    return hartid == kBootHart ? success(kSbiHartStarted) : err(SBI_ERR_INVALID_PARAM);
  }
  if (hartid >= ctx.cpus->cpu_count()) return err(SBI_ERR_INVALID_PARAM);
  switch (ctx.cpus->cpu_state(hartid)) {
    case CpuPowerState::kOn: return success(kSbiHartStarted);
    case CpuPowerState::kOff: return success(kSbiHartStopped);
    case CpuPowerState::kStarting: return success(kSbiHartStartPending);
  }
  return err(SBI_ERR_FAILED);
}

SbiResult hsm_call(uint64_t fid, const uint64_t a[8], SbiContext& ctx) {
  switch (fid) {
    case SBI_HSM_HART_START:
      if (ctx.cpus != nullptr) {
        return err(hart_start_error(ctx.cpus->cpu_on(ctx.caller, a[0], a[1], a[2])));
      }
      // Chapter 9.1: ALREADY_AVAILABLE for a started hart, INVALID_PARAM for a hartid that
      // cannot be started (there is no other hart).
      return err(a[0] == kBootHart ? SBI_ERR_ALREADY_AVAILABLE : SBI_ERR_INVALID_PARAM);
    case SBI_HSM_HART_STOP:
      // Chapter 9.2: no return on success; the VM does not resume a stopped hart.
      if (ctx.cpus != nullptr) {
        ctx.cpus->cpu_off(ctx.caller);
        return success();
      }
      // The last running hart stops: nothing is left to run, so the VM powers off.
      TLOG_DEBUG("sbi: hart_stop on the only hart, powering off");
      ctx.power.system_off(0);
      return success();
    case SBI_HSM_HART_GET_STATUS: return hart_status(a[0], ctx);
    case SBI_HSM_HART_SUSPEND: {
      // Chapter 9.4. A retentive suspend may end on any interrupt, so returning at once is
      // a legal wake-up. Non-retentive suspend needs a resume path: not supported yet.
      const uint32_t type = static_cast<uint32_t>(a[0]);
      if (type == 0x00000000) return success();
      if (type == 0x80000000) return err(SBI_ERR_NOT_SUPPORTED);
      return err(SBI_ERR_INVALID_PARAM);  // reserved or unimplemented platform types
    }
    default: return err(SBI_ERR_NOT_SUPPORTED);
  }
}

SbiResult ipi_call(uint64_t fid, const uint64_t a[8], SbiContext& ctx) {
  if (fid != SBI_IPI_SEND_IPI || ctx.harts == nullptr) return err(SBI_ERR_NOT_SUPPORTED);
  const std::optional<uint64_t> harts = selected_harts(a[0], a[1], hart_count(ctx));
  if (!harts) return err(SBI_ERR_INVALID_PARAM);
  for (unsigned h = 0; h < 64; ++h) {
    if ((*harts >> h) & 1) ctx.harts->send_ipi(h);
  }
  return success();
}

// Chapter 8. Only the hart list is checked here: each hart keeps translations and fetched code
// of its own, so the backend applies an accepted call to the target harts
// (remote_fence_of, remote_fence.h): the emu backend, whose harts are separate Unicorn engines
// (backends/emu/emu_coherence.h), and the riscv64 image, whose harts run the guest
// (backends/baremetal/riscv64/vcpu.cpp).
SbiResult rfence_call(uint64_t fid, const uint64_t a[8], const SbiContext& ctx) {
  if (fid > SBI_RFENCE_REMOTE_HFENCE_VVMA) return err(SBI_ERR_NOT_SUPPORTED);
  if (!selected_harts(a[0], a[1], hart_count(ctx))) return err(SBI_ERR_INVALID_PARAM);
  return success();
}

SbiResult srst_call(uint64_t fid, const uint64_t a[8], SbiContext& ctx) {
  if (fid != SBI_SRST_SYSTEM_RESET) return err(SBI_ERR_NOT_SUPPORTED);
  // Chapter 10.1: reset_type and reset_reason are 32-bit; reserved or unimplemented
  // vendor/implementation-specific values are INVALID_PARAM.
  const uint32_t type = static_cast<uint32_t>(a[0]);
  const uint32_t reason = static_cast<uint32_t>(a[1]);
  if (reason != SBI_SRST_REASON_NONE && reason != SBI_SRST_REASON_SYSFAIL)
    return err(SBI_ERR_INVALID_PARAM);
  switch (type) {
    case SBI_SRST_TYPE_SHUTDOWN:
      // Status 0 for either reason: OpenSBI on QEMU virt writes a code-less FINISHER_FAIL
      // for SYSFAIL, which QEMU also turns into exit status 0.
      ctx.power.system_off(0);
      return success();
    case SBI_SRST_TYPE_COLD_REBOOT:
    case SBI_SRST_TYPE_WARM_REBOOT: ctx.power.system_reset(); return success();
    default: return err(SBI_ERR_INVALID_PARAM);
  }
}

// Chapter 12. The buffer is guest-physical, base_addr_lo in a1 and base_addr_hi in a2 (both
// XLEN wide: on rv64 the high half must be 0). A buffer that is not wholly in guest RAM is
// INVALID_PARAM. console_write returns how many bytes it wrote; the caller loops for the rest.
SbiResult dbcn_call(uint64_t fid, const uint64_t a[8], SbiContext& ctx) {
  if (ctx.memory == nullptr) return err(SBI_ERR_NOT_SUPPORTED);
  if (fid == SBI_DBCN_CONSOLE_WRITE_BYTE) {
    if (ctx.console != nullptr) ctx.console->put(static_cast<uint8_t>(a[0]));
    return success();
  }
  if (fid != SBI_DBCN_CONSOLE_WRITE && fid != SBI_DBCN_CONSOLE_READ)
    return err(SBI_ERR_NOT_SUPPORTED);
  const uint64_t base = a[1];
  const uint64_t size = a[0] < kSbiDbcnWriteChunk ? a[0] : kSbiDbcnWriteChunk;
  if (a[2] != 0 || base + size < base) return err(SBI_ERR_INVALID_PARAM);
  uint8_t buffer[kSbiDbcnWriteChunk];
  const std::span<uint8_t> bytes(buffer, size);
  if (fid == SBI_DBCN_CONSOLE_READ) {
    // Console input goes to the board's UART, where the guest's tty reads it, so the debug
    // console never has bytes to read: a valid answer for this non-blocking call (12.2), once
    // the buffer is known to be writable guest RAM.
    if (!ctx.memory->read(Gpa(base), bytes)) return err(SBI_ERR_INVALID_PARAM);
    return success(0);
  }
  if (!ctx.memory->read(Gpa(base), bytes)) return err(SBI_ERR_INVALID_PARAM);
  if (ctx.console != nullptr) {
    for (const uint8_t c : bytes) ctx.console->put(c);
  }
  return success(size);
}

// Chapter 6.1: the timer model also clears a pending timer interrupt. Without one the request
// is dropped (no timer interrupt is delivered).
void set_timer(uint64_t stime_value, SbiContext& ctx) {
  if (ctx.harts != nullptr) ctx.harts->set_timer(ctx.caller, stime_value);
}

// Legacy extensions (chapter 5) return only a0 and preserve everything else, a1 included.
SbiResult legacy(int64_t a0, const uint64_t a[8]) { return {a0, a[1]}; }

}  // namespace

unsigned sbi_arg_regs(uint64_t eid) {
  switch (eid) {
    case SBI_EXT_BASE:  // probe_extension's a0
    case SBI_EXT_TIME: return 1;
    case SBI_EXT_IPI:
    case SBI_EXT_RFENCE:  // the hart mask; the address range is not used (rfence_call)
    case SBI_EXT_SRST:
    case SBI_EXT_LEGACY_SET_TIMER:
    case SBI_EXT_LEGACY_CONSOLE_PUTCHAR:
    case SBI_EXT_LEGACY_CONSOLE_GETCHAR:
    case SBI_EXT_LEGACY_SHUTDOWN: return 2;
    case SBI_EXT_HSM:  // hart_start's hartid, start_addr, opaque
    case SBI_EXT_DBCN: return 3;
    default: return 0;
  }
}

SbiResult sbi_call(const uint64_t a[8], SbiContext& ctx) {
  const uint64_t eid = a[7];
  const uint64_t fid = a[6];
  switch (eid) {
    case SBI_EXT_BASE: return base_call(fid, a, ctx);
    case SBI_EXT_TIME:
      if (fid != SBI_TIME_SET_TIMER) return err(SBI_ERR_NOT_SUPPORTED);
      set_timer(a[0], ctx);
      return success();
    case SBI_EXT_IPI: return ipi_call(fid, a, ctx);
    case SBI_EXT_RFENCE: return rfence_call(fid, a, ctx);
    case SBI_EXT_HSM: return hsm_call(fid, a, ctx);
    case SBI_EXT_SRST: return srst_call(fid, a, ctx);
    case SBI_EXT_DBCN: return dbcn_call(fid, a, ctx);
    case SBI_EXT_LEGACY_SET_TIMER: set_timer(a[0], ctx); return legacy(0, a);
    case SBI_EXT_LEGACY_CONSOLE_PUTCHAR:
      if (ctx.console != nullptr) ctx.console->put(static_cast<uint8_t>(a[0]));
      return legacy(0, a);
    case SBI_EXT_LEGACY_CONSOLE_GETCHAR:
      return legacy(-1, a);  // no console input yet: "no character"
    case SBI_EXT_LEGACY_SHUTDOWN: ctx.power.system_off(0); return legacy(0, a);
    // Not supported: legacy send_ipi and the legacy remote fences (EIDs 4-7) take a pointer to
    // a hart mask in guest memory, which this dispatcher cannot read; legacy clear_ipi (3) is
    // what the guest does itself by clearing sip.SSIP. The IPI and RFENCE extensions replace
    // them (chapter 5).
    default:
      TLOG_DEBUG("sbi: extension %#llx function %#llx not supported",
                 static_cast<unsigned long long>(eid), static_cast<unsigned long long>(fid));
      return err(SBI_ERR_NOT_SUPPORTED);
  }
}

}  // namespace tandem

// SPDX-License-Identifier: Apache-2.0
#include "core/arch/riscv64/sbi.h"

#include "core/base/log.h"
#include "devices/char_sink.h"

namespace tandem {
namespace {

constexpr SbiResult ok(uint64_t value = 0) { return {SBI_SUCCESS, value}; }
constexpr SbiResult err(int64_t code) { return {code, 0}; }

// The VM has one hart, hartid 0, until SMP support lands.
constexpr uint64_t kBootHart = 0;

bool extension_available(uint64_t eid) {
  switch (eid) {
    case SBI_EXT_LEGACY_SET_TIMER:
    case SBI_EXT_LEGACY_CONSOLE_PUTCHAR:
    case SBI_EXT_LEGACY_CONSOLE_GETCHAR:
    case SBI_EXT_LEGACY_SHUTDOWN:
    case SBI_EXT_BASE:
    case SBI_EXT_TIME:
    case SBI_EXT_HSM:
    case SBI_EXT_SRST: return true;
    default: return false;
  }
}

SbiResult base_call(uint64_t fid, const uint64_t a[8]) {
  switch (fid) {
    case SBI_BASE_GET_SPEC_VERSION: return ok(kSbiSpecVersion2_0);
    case SBI_BASE_GET_IMPL_ID: return ok(kSbiImplIdTandem);
    case SBI_BASE_GET_IMPL_VERSION: return ok(kSbiImplVersion);
    // Chapter 4.4: 0 = not available, 1 = available.
    case SBI_BASE_PROBE_EXTENSION: return ok(extension_available(a[0]) ? 1 : 0);
    // Chapter 4.5-4.7: 0 is always a legal mvendorid/marchid/mimpid.
    case SBI_BASE_GET_MVENDORID:
    case SBI_BASE_GET_MARCHID:
    case SBI_BASE_GET_MIMPID: return ok(0);
    default: return err(SBI_ERR_NOT_SUPPORTED);
  }
}

SbiResult hsm_call(uint64_t fid, const uint64_t a[8], SbiContext& ctx) {
  switch (fid) {
    case SBI_HSM_HART_START:
      // Chapter 9.1: ALREADY_AVAILABLE for a started hart, INVALID_PARAM for a hartid that
      // cannot be started (there is no other hart yet).
      return err(a[0] == kBootHart ? SBI_ERR_ALREADY_AVAILABLE : SBI_ERR_INVALID_PARAM);
    case SBI_HSM_HART_STOP:
      // The last running hart stops: nothing is left to run, so the VM powers off.
      TLOG_DEBUG("sbi: hart_stop on the only hart, powering off");
      ctx.power.system_off(0);
      return ok();
    case SBI_HSM_HART_GET_STATUS:
      return a[0] == kBootHart ? ok(kSbiHartStarted) : err(SBI_ERR_INVALID_PARAM);
    case SBI_HSM_HART_SUSPEND: {
      // Chapter 9.4. A retentive suspend may end on any interrupt, so returning at once is
      // a legal wake-up. Non-retentive suspend needs a resume path: not supported yet.
      const uint32_t type = static_cast<uint32_t>(a[0]);
      if (type == 0x00000000) return ok();
      if (type == 0x80000000) return err(SBI_ERR_NOT_SUPPORTED);
      return err(SBI_ERR_INVALID_PARAM);  // reserved or unimplemented platform types
    }
    default: return err(SBI_ERR_NOT_SUPPORTED);
  }
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
      return ok();
    case SBI_SRST_TYPE_COLD_REBOOT:
    case SBI_SRST_TYPE_WARM_REBOOT: ctx.power.system_reset(); return ok();
    default: return err(SBI_ERR_INVALID_PARAM);
  }
}

// Legacy extensions (chapter 5) return only a0 and preserve everything else, a1 included.
SbiResult legacy(int64_t a0, const uint64_t a[8]) { return {a0, a[1]}; }

}  // namespace

SbiResult sbi_call(const uint64_t a[8], SbiContext& ctx) {
  const uint64_t eid = a[7];
  const uint64_t fid = a[6];
  switch (eid) {
    case SBI_EXT_BASE: return base_call(fid, a);
    case SBI_EXT_TIME:
      if (fid != SBI_TIME_SET_TIMER) return err(SBI_ERR_NOT_SUPPORTED);
      // Chapter 6.1: also clears the pending timer interrupt; the timer model does that
      // when it sees the new deadline.
      ctx.timer_deadline = a[0];
      return ok();
    case SBI_EXT_HSM: return hsm_call(fid, a, ctx);
    case SBI_EXT_SRST: return srst_call(fid, a, ctx);
    case SBI_EXT_LEGACY_SET_TIMER: ctx.timer_deadline = a[0]; return legacy(0, a);
    case SBI_EXT_LEGACY_CONSOLE_PUTCHAR:
      if (ctx.console != nullptr) ctx.console->put(static_cast<uint8_t>(a[0]));
      return legacy(0, a);
    case SBI_EXT_LEGACY_CONSOLE_GETCHAR:
      return legacy(-1, a);  // no console input yet: "no character"
    case SBI_EXT_LEGACY_SHUTDOWN: ctx.power.system_off(0); return legacy(0, a);
    default:
      TLOG_DEBUG("sbi: extension %#llx function %#llx not supported",
                 static_cast<unsigned long long>(eid), static_cast<unsigned long long>(fid));
      return err(SBI_ERR_NOT_SUPPORTED);
  }
}

}  // namespace tandem

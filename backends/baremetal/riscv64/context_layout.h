/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Byte offsets into TrapFrame and GuestContext (context.h), shared by the assembly that
 * saves and restores them and the C++ that reads them; context.h checks each one with a
 * static_assert. Plain #defines because the .S files include this too.
 */
#pragma once

#define CTX_X(n) ((n)*8) /* x1..x31; slot 0 stays zero so x[0] reads as x0 */
#define CTX_SEPC (32 * 8)
#define CTX_SSTATUS (33 * 8)
#define CTX_HSTATUS (34 * 8)
#define CTX_SCAUSE (35 * 8)
#define CTX_STVAL (36 * 8)
#define CTX_HTVAL (37 * 8)
#define CTX_HTINST (38 * 8)
#define TRAP_FRAME_SIZE (40 * 8) /* rounded up to keep sp 16-byte aligned */

/* GuestContext: the guest's TrapFrame, then the hypervisor's callee-saved registers. */
#define CTX_HOST(n) (TRAP_FRAME_SIZE + (n)*8) /* ra sp gp tp s0..s11 */
#define CTX_HOST_COUNT 16

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The world switch between the HS-mode hypervisor and its VS-mode guest, and the stvec trap
 * entry. RISC-V privileged spec 20240411, 18.6.2 "Trap Entry" and 18.6.4 "Trap Return".
 *
 * sscratch holds the running guest's GuestContext while the guest runs and 0 while the
 * hypervisor runs, so the trap entry tells a guest trap (switch back to the hypervisor) from a
 * trap in HS-mode itself (a hypervisor bug: report and stop) with one swap.
 *
 * Hypervisor CSRs are named by number, as in csr.h: hstatus 0x600, htval 0x643, htinst 0x64a.
 */
#include "context_layout.h"

/* x1..x31 except a0 (x10), which is the context pointer while they move. */
.macro for_guest_gprs op, base
	\op x1, CTX_X(1)(\base)
	\op x2, CTX_X(2)(\base)
	\op x3, CTX_X(3)(\base)
	\op x4, CTX_X(4)(\base)
	\op x5, CTX_X(5)(\base)
	\op x6, CTX_X(6)(\base)
	\op x7, CTX_X(7)(\base)
	\op x8, CTX_X(8)(\base)
	\op x9, CTX_X(9)(\base)
	\op x11, CTX_X(11)(\base)
	\op x12, CTX_X(12)(\base)
	\op x13, CTX_X(13)(\base)
	\op x14, CTX_X(14)(\base)
	\op x15, CTX_X(15)(\base)
	\op x16, CTX_X(16)(\base)
	\op x17, CTX_X(17)(\base)
	\op x18, CTX_X(18)(\base)
	\op x19, CTX_X(19)(\base)
	\op x20, CTX_X(20)(\base)
	\op x21, CTX_X(21)(\base)
	\op x22, CTX_X(22)(\base)
	\op x23, CTX_X(23)(\base)
	\op x24, CTX_X(24)(\base)
	\op x25, CTX_X(25)(\base)
	\op x26, CTX_X(26)(\base)
	\op x27, CTX_X(27)(\base)
	\op x28, CTX_X(28)(\base)
	\op x29, CTX_X(29)(\base)
	\op x30, CTX_X(30)(\base)
	\op x31, CTX_X(31)(\base)
.endm

/* What the psABI says survives a call: ra, sp, gp, tp, s0..s11. */
.macro for_host_regs op, base
	\op ra, CTX_HOST(0)(\base)
	\op sp, CTX_HOST(1)(\base)
	\op gp, CTX_HOST(2)(\base)
	\op tp, CTX_HOST(3)(\base)
	\op s0, CTX_HOST(4)(\base)
	\op s1, CTX_HOST(5)(\base)
	\op s2, CTX_HOST(6)(\base)
	\op s3, CTX_HOST(7)(\base)
	\op s4, CTX_HOST(8)(\base)
	\op s5, CTX_HOST(9)(\base)
	\op s6, CTX_HOST(10)(\base)
	\op s7, CTX_HOST(11)(\base)
	\op s8, CTX_HOST(12)(\base)
	\op s9, CTX_HOST(13)(\base)
	\op s10, CTX_HOST(14)(\base)
	\op s11, CTX_HOST(15)(\base)
.endm

/* The trap CSRs, read before anything in HS-mode can trap and overwrite them. */
.macro save_trap_csrs base
	csrr	t0, sepc
	sd	t0, CTX_SEPC(\base)
	csrr	t0, sstatus
	sd	t0, CTX_SSTATUS(\base)
	csrr	t0, 0x600
	sd	t0, CTX_HSTATUS(\base)
	csrr	t0, scause
	sd	t0, CTX_SCAUSE(\base)
	csrr	t0, stval
	sd	t0, CTX_STVAL(\base)
	csrr	t0, 0x643
	sd	t0, CTX_HTVAL(\base)
	csrr	t0, 0x64a
	sd	t0, CTX_HTINST(\base)
.endm

	.section .text.world_switch, "ax"

/*
 * void tandem_guest_enter(GuestContext* ctx): runs the guest until it traps to HS-mode, then
 * returns with its registers and trap CSRs in ctx. sepc, sstatus (SPP) and hstatus (SPV=1)
 * come from ctx, so sret lands in VS-mode (or VU-mode) at the guest's PC.
 */
	.global tandem_guest_enter
	.balign	4
tandem_guest_enter:
	for_host_regs sd, a0
	ld	t0, CTX_SEPC(a0)
	csrw	sepc, t0
	ld	t0, CTX_SSTATUS(a0)
	csrw	sstatus, t0
	ld	t0, CTX_HSTATUS(a0)
	csrw	0x600, t0
	csrw	sscratch, a0
	for_guest_gprs ld, a0
	ld	a0, CTX_X(10)(a0)
	sret

/* stvec, Direct mode: the base must be 4-byte aligned. */
	.global hv_trap_entry
	.balign	4
hv_trap_entry:
	csrrw	a0, sscratch, a0
	beqz	a0, .Lfrom_hs
	for_guest_gprs sd, a0
	csrrw	t0, sscratch, zero	/* guest a0; sscratch = 0: HS-mode from here on */
	sd	t0, CTX_X(10)(a0)
	save_trap_csrs a0
	for_host_regs ld, a0
	ret				/* from tandem_guest_enter */

.Lfrom_hs:
	csrrw	a0, sscratch, a0	/* a0 back, sscratch 0 again */
	addi	sp, sp, -TRAP_FRAME_SIZE
	for_guest_gprs sd, sp
	sd	a0, CTX_X(10)(sp)
	addi	t0, sp, TRAP_FRAME_SIZE
	sd	t0, CTX_X(2)(sp)	/* sp as it was at the trap */
	save_trap_csrs sp
	mv	a0, sp
	call	hv_hs_trap		/* [[noreturn]] */
1:	wfi
	j	1b

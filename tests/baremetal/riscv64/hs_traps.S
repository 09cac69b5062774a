/* SPDX-License-Identifier: Apache-2.0 */
/*
 * riscv64 guest for the HS-mode backend's trap paths that the common test guests leave out:
 * compressed loads/stores to MMIO (C.LW C.LD C.SW C.SD and the sp-relative forms, decoded from
 * the fetched instruction because QEMU 7.2 leaves htinst 0), legacy SBI calls, WFI, a VU-mode
 * MMIO store (the instruction is fetched with the guest's user privilege) and the exceptions
 * hedeleg hands to the guest (ECALL from U-mode, EBREAK). Prints the same on QEMU alone
 * (OpenSBI) as on Tandem and exits with status 7 through sifive_test.
 */
	.equ	UART, 0x10000000	/* NS16550A: THR/RBR 0, MCR 4, SCR 7 */
	.equ	SIFIVE_TEST, 0x100000
	.equ	SBI_SET_TIMER, 0	/* legacy extensions (SBI spec v2.0, 5) */
	.equ	SBI_PUTCHAR, 1
	.equ	SBI_BASE, 0x10
	.equ	SSTATUS_SPP, 0x100
	.equ	SIE_STIE, 0x20

	.section .text.start, "ax"
	.global	_start
_start:
	lla	sp, __stack_top
	lla	t0, trap
	csrw	stvec, t0
	li	s0, UART		/* s0 = x8, reachable by the CL/CS formats */

	lla	a0, msg_rvc
	call	puts
	li	a1, 'w'
	c.sw	a1, 0(s0)
	li	a1, 'd'
	c.sd	a1, 0(s0)
	mv	s1, sp
	mv	sp, s0			/* sp-relative forms against the UART */
	li	a1, 'W'
	c.swsp	a1, 0(sp)
	li	a1, 'D'
	c.sdsp	a1, 0(sp)
	mv	sp, s1
	li	a0, '\n'
	call	putc

	li	a1, 3
	sb	a1, 4(s0)		/* MCR = 3 */
	lla	a0, msg_clw
	call	puts
	c.lw	a0, 4(s0)
	call	put_hex_line
	lla	a0, msg_clwsp
	call	puts
	mv	sp, s0
	c.lwsp	a0, 4(sp)
	mv	sp, s1
	call	put_hex_line
	lla	a0, msg_cld
	call	puts
	c.ld	a0, 0(s0)
	call	put_hex_line
	lla	a0, msg_cldsp
	call	puts
	mv	sp, s0
	c.ldsp	a0, 0(sp)
	mv	sp, s1
	call	put_hex_line

	/*
	 * Legacy console putchar, without a newline: OpenSBI writes "\r\n" for it, Tandem the
	 * byte as is. Then a base probe of the legacy timer extension (both have it).
	 */
	lla	s2, msg_sbi
1:	lbu	a0, 0(s2)
	beqz	a0, 2f
	li	a7, SBI_PUTCHAR
	ecall
	addi	s2, s2, 1
	j	1b
2:	li	a0, '\n'
	call	putc
	lla	a0, msg_probe
	call	puts
	li	a7, SBI_BASE
	li	a6, 3			/* probe_extension */
	li	a0, SBI_SET_TIMER
	ecall
	call	put_hex_line		/* a0 = error (0) */

	/*
	 * WFI with the timer armed in the past: QEMU wakes the hart (STIP pending and enabled,
	 * SIE off so no trap); Tandem traps it (hstatus.VTW) and resumes the guest.
	 */
	li	t0, SIE_STIE
	csrs	sie, t0
	li	a7, SBI_SET_TIMER
	li	a0, 0
	ecall
	wfi
	csrc	sie, t0
	li	a7, SBI_SET_TIMER
	li	a0, -1
	ecall
	rdtime	t1
	lla	a0, msg_wfi
	call	puts

	/* To U-mode (VU-mode on Tandem): an MMIO store, then ECALL, which the guest handles. */
	li	t0, SSTATUS_SPP
	csrc	sstatus, t0
	lla	t0, user
	csrw	sepc, t0
	sret
user:
	li	a1, 'U'
	sb	a1, 0(s0)
	li	a1, '\n'
	sb	a1, 0(s0)
	ecall
	j	fail

after_user:
	.option	push
	.option	norvc
	ebreak				/* 4 bytes: the handler skips 4 */
	.option	pop
	lla	a0, msg_done
	call	puts
	li	t0, SIFIVE_TEST
	li	t1, 0x3333 | (7 << 16)	/* FINISHER_FAIL with status 7 */
	sw	t1, 0(t0)
fail:
	li	t0, SIFIVE_TEST
	li	t1, 0x3333 | (3 << 16)
	sw	t1, 0(t0)
	j	fail

	.balign	4
trap:
	lla	a0, msg_trap
	call	puts
	csrr	a0, scause
	call	put_hex_line
	csrr	t0, scause
	li	t1, 8			/* ECALL from U-mode */
	beq	t0, t1, after_user
	li	t1, 3			/* breakpoint */
	bne	t0, t1, fail
	csrr	t0, sepc
	addi	t0, t0, 4
	csrw	sepc, t0
	sret

putc:					/* a0 = byte */
	sb	a0, 0(s0)
	ret


	.section .rodata
msg_rvc:	.asciz	"hs_traps: rvc stores: "
msg_clw:	.asciz	"c.lw MCR: "
msg_clwsp:	.asciz	"c.lwsp MCR: "
msg_cld:	.asciz	"c.ld RBR: "
msg_cldsp:	.asciz	"c.ldsp RBR: "
msg_sbi:	.asciz	"sbi legacy putchar"
msg_probe:	.asciz	"sbi probe legacy set_timer: "
msg_wfi:	.asciz	"wfi and rdtime\n"
msg_trap:	.asciz	"guest trap, scause "
msg_done:	.asciz	"hs_traps: done\n"

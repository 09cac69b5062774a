/* SPDX-License-Identifier: Apache-2.0 */
/*
 * riscv64 guest for the HS-mode backend's interrupt paths that the common interrupt guests
 * leave out: a supervisor timer interrupt taken while the guest spins without any exit (on
 * Tandem only the hypervisor's own HS timer can end the guest's run at the deadline, after
 * which hvip.VSTIP rises), and a supervisor software interrupt from SBI IPI send_ipi to
 * itself (an edge: hvip.VSSIP set once, cleared by the guest in sip). Prints the same on QEMU
 * alone (OpenSBI) as on Tandem and exits with status 0 through sifive_test.
 */
	.equ	UART, 0x10000000
	.equ	SIFIVE_TEST, 0x100000
	.equ	SBI_EXT_TIME, 0x54494d45
	.equ	SBI_EXT_IPI, 0x735049
	.equ	SIE_SSIE, 0x2
	.equ	SIE_STIE, 0x20
	.equ	SSTATUS_SIE, 0x2
	.equ	PERIOD, 100000		/* 10 ms at the 10 MHz timebase */

	.section .text.start, "ax"
	.global	_start
_start:
	lla	sp, __stack_top
	mv	s3, a0			/* hart id */
	lla	t0, trap
	csrw	stvec, t0
	li	s0, UART

	/* Timer: deadline 10 ms ahead, interrupts on, spin on memory until the handler ran. */
	lla	a0, msg_timer
	call	puts
	li	t0, SIE_STIE
	csrs	sie, t0
	rdtime	s1
	li	t0, PERIOD
	add	s1, s1, t0		/* s1 = deadline, read by the handler */
	mv	a0, s1
	li	a6, 0
	li	a7, SBI_EXT_TIME
	ecall
	csrsi	sstatus, SSTATUS_SIE
	lla	s2, timer_seen
1:	lw	t0, 0(s2)
	beqz	t0, 1b
	csrci	sstatus, SSTATUS_SIE
	lla	a0, msg_late
	call	puts
	ld	a0, 8(s2)		/* time >= deadline in the handler */
	call	put_hex_line

	/* Software interrupt: SBI send_ipi to this hart, then spin until the handler ran. */
	lla	a0, msg_ipi
	call	puts
	li	t0, SIE_SSIE
	csrs	sie, t0
	li	a0, 1
	sll	a0, a0, s3		/* hart_mask = this hart */
	li	a1, 0			/* hart_mask_base */
	li	a6, 0
	li	a7, SBI_EXT_IPI
	ecall
	call	put_hex_line		/* a0 = sbiret.error (0) */
	csrsi	sstatus, SSTATUS_SIE
	lla	s2, ipi_seen
1:	lw	t0, 0(s2)
	beqz	t0, 1b
	csrci	sstatus, SSTATUS_SIE
	lla	a0, msg_sip
	call	puts
	csrr	a0, sip
	andi	a0, a0, SIE_SSIE | SIE_STIE
	call	put_hex_line

	lla	a0, msg_done
	call	puts
	li	t0, SIFIVE_TEST
	li	t1, 0x5555		/* FINISHER_PASS: status 0 */
	sw	t1, 0(t0)
fail:
	li	t0, SIFIVE_TEST
	li	t1, 0x3333 | (3 << 16)
	sw	t1, 0(t0)
	j	fail

/* Interrupts only: prints scause, handles the timer (stop it) or the IPI (clear sip.SSIP). */
	.balign	4
trap:
	addi	sp, sp, -64
	sd	ra, 0(sp)
	sd	t0, 8(sp)
	sd	t1, 16(sp)
	sd	t2, 24(sp)
	sd	t3, 32(sp)
	sd	a0, 40(sp)
	sd	a6, 48(sp)
	sd	a7, 56(sp)
	rdtime	t3
	lla	a0, msg_trap
	call	puts
	csrr	a0, scause
	call	put_hex_line
	csrr	t0, scause
	bgez	t0, fail		/* an exception */
	slli	t0, t0, 1
	srli	t0, t0, 1
	li	t1, 5
	beq	t0, t1, 2f
	li	t1, 1
	bne	t0, t1, fail
	li	t0, SIE_SSIE		/* software interrupt: clear it, once */
	csrc	sip, t0
	lla	t0, ipi_seen
	lw	t1, 0(t0)
	bnez	t1, fail
	li	t1, 1
	sw	t1, 0(t0)
	j	3f
2:	lla	t0, timer_seen		/* timer: record time >= deadline, stop it */
	sltu	t1, t3, s1
	xori	t1, t1, 1
	sd	t1, 8(t0)
	li	t1, 1
	sw	t1, 0(t0)
	li	a0, -1
	li	a6, 0
	li	a7, SBI_EXT_TIME
	ecall
3:	ld	ra, 0(sp)
	ld	t0, 8(sp)
	ld	t1, 16(sp)
	ld	t2, 24(sp)
	ld	t3, 32(sp)
	ld	a0, 40(sp)
	ld	a6, 48(sp)
	ld	a7, 56(sp)
	addi	sp, sp, 64
	sret


	.data
	.balign	8
timer_seen:	.word	0, 0
		.dword	0		/* time >= deadline when it was taken */
ipi_seen:	.word	0

	.section .rodata
msg_timer:	.asciz	"hs_irqs: timer while spinning\n"
msg_late:	.asciz	"time >= deadline: "
msg_ipi:	.asciz	"hs_irqs: sbi send_ipi to self: "
msg_sip:	.asciz	"sip SSIP|STIP after: "
msg_trap:	.asciz	"interrupt, scause "
msg_done:	.asciz	"hs_irqs: done\n"

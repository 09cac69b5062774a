/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Limit of bench case 5 on riscv64 (bench/README.md): the least HS code that runs the loop of
 * guests/bench/exits.cpp in VS and answers its traps. The G-stage maps 0x80000000-0xbfffffff
 * (one 1 GiB leaf), so the 16550 faults. Built with -DEXITS=<n> and, for ECALL, -DHYPERCALL.
 * Prints the virtual ns from the sret into the loop to the final trap, exits by sifive_test.
 */
#define TIMEBASE_HZ 10000000			/* QEMU virt's timebase-frequency */

	.section .text.boot, "ax"
	.global	_start
_start:
	la	sp, __stack_top
	csrw	sscratch, sp
	la	t0, trap
	csrw	stvec, t0
	csrw	sie, zero
	csrw	0x602, zero			/* hedeleg */
	csrw	0x603, zero			/* hideleg */
	csrw	0x280, zero			/* vsatp: Bare */
	la	t0, g_root
	srli	t0, t0, 12
	li	t1, 8 << 60			/* Sv39x4 */
	or	t0, t0, t1
	csrw	0x680, t0			/* hgatp */
	.word	0x62000073			/* hfence.gvma zero, zero */
	li	t0, 1 << 7			/* hstatus.SPV */
	csrs	0x600, t0
	li	t0, 1 << 8			/* sstatus.SPP */
	csrs	sstatus, t0
	la	t0, guest
	csrw	sepc, t0
	rdtime	t0
	la	t1, t0_time
	sd	t0, 0(t1)
	sret

/* guest_main of guests/bench/exits.cpp as GCC compiles it, ended by its boot-timer store. */
guest:
	li	a5, EXITS
#if EXITS > 0
#ifdef HYPERCALL
1:	li	a0, 0
	li	a1, 0
	li	a6, 0				/* FID 0: sbi_get_spec_version */
	li	a7, 0x10			/* EID 0x10: Base */
	ecall
	addi	a5, a5, -1
	bnez	a5, 1b
#else
	li	a4, 0x10000005			/* 16550 LSR */
1:	lbu	a3, 0(a4)
	addi	a5, a5, -1
	bnez	a5, 1b
#endif
#endif
	li	a5, 123
	li	a4, 0x102000
	sb	a5, 0(a4)

/* A load fault writes the constant LSR value into a3 (the loop's own register), an ECALL
   returns SBI v1.0; both resume past the 4-byte instruction. */
	.balign	4
trap:
	csrrw	sp, sscratch, sp
	sd	t0, 0(sp)
	sd	t1, 8(sp)
	csrr	t0, scause
	li	t1, 21				/* load guest-page fault */
	beq	t0, t1, load
	li	t1, 10				/* ECALL from VS */
	bne	t0, t1, done
	li	a0, 0
	li	a1, 0x01000000
	j	resume
load:
	li	a3, 0x60
resume:
	csrr	t0, sepc
	addi	t0, t0, 4
	csrw	sepc, t0
	ld	t0, 0(sp)
	ld	t1, 8(sp)
	csrrw	sp, sscratch, sp
	sret

/* The final trap: print the virtual ns since the sret, exit 0 (1 if it was not the store). */
done:
	rdtime	s0
	ld	t1, t0_time
	sub	s0, s0, t1
	li	t1, 1000000000 / TIMEBASE_HZ
	mul	s0, s0, t1
	addi	s1, t0, -23			/* store guest-page fault */
	snez	s1, s1
	la	a0, msg
	call	puts
	mv	a0, sp				/* digits backwards below sp */
	addi	sp, sp, -32
	addi	a0, a0, -1
	sb	zero, 0(a0)
	li	t1, 10
1:	remu	t2, s0, t1
	divu	s0, s0, t1
	addi	t2, t2, '0'
	addi	a0, a0, -1
	sb	t2, 0(a0)
	bnez	s0, 1b
	call	puts
	la	a0, nl
	call	puts
	li	t0, 0x5555			/* sifive_test: pass */
	beqz	s1, 1f
	li	t0, 0x13333			/* fail, code 1 */
1:	li	t1, 0x100000
	sw	t0, 0(t1)
	j	.

/* a0: NUL-terminated string to the 16550 THR. */
puts:
	li	t0, 0x10000000
1:	lbu	t1, 0(a0)
	beqz	t1, 2f
	sb	t1, 0(t0)
	addi	a0, a0, 1
	j	1b
2:	ret

msg:	.asciz	"limit: elapsed "
nl:	.asciz	" ns\n"

	.section .data
	.balign	16384
g_root:	.quad	0, 0
	.quad	0x200000df			/* 1 GiB leaf at 0x80000000: V R W X U A D */
	.fill	2045, 8, 0
t0_time:
	.quad	0

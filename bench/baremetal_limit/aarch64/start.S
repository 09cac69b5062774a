/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Limit of bench case 5 on aarch64 (bench/README.md): the least EL2 code that runs the loop of
 * guests/bench/exits.cpp at EL1 and answers its traps. Stage 2 maps 0x40000000-0x7fffffff
 * (one 1 GiB block), so the PL011 faults. Built with -DEXITS=<n> and, for HVC, -DHYPERCALL.
 * Prints the virtual ns from the eret into the loop to the final trap, exits by semihosting.
 */
	.section .text.boot, "ax"
	.global	_start
_start:
	msr	spsel, #1
	ldr	x0, =__stack_top
	mov	sp, x0
	adr	x0, vectors
	msr	vbar_el2, x0
	ldr	x0, =0x80020060			/* VTCR_EL2: T0SZ 32, start at level 1 */
	msr	vtcr_el2, x0
	adr	x0, s2_l1
	msr	vttbr_el2, x0
	ldr	x0, =0x80080001			/* HCR_EL2: RW, TSC (the final SMC traps), VM */
	msr	hcr_el2, x0
	ldr	x0, =0x30d00800			/* SCTLR_EL1: RES1 bits, MMU off */
	msr	sctlr_el1, x0
	mov	x0, #0x3c5			/* EL1h, DAIF masked */
	msr	spsr_el2, x0
	adr	x0, guest
	msr	elr_el2, x0
	dsb	ish
	tlbi	vmalls12e1is
	dsb	ish
	isb
	mrs	x0, cntpct_el0
	adr	x1, t0
	str	x0, [x1]
	eret

/* guest_main of guests/bench/exits.cpp as GCC compiles it, ended by a trapped SMC. */
guest:
#if EXITS > 0
#ifdef HYPERCALL
	ldr	x4, =EXITS
1:	mov	x0, #0x84000000			/* PSCI_VERSION */
	hvc	#0
	subs	x4, x4, #1
	b.ne	1b
#else
	ldr	x0, =EXITS
	ldr	x1, =0x09000018			/* PL011 FR */
1:	ldr	w2, [x1]
	subs	x0, x0, #1
	b.ne	1b
#endif
#endif
	smc	#0

	.balign	2048
vectors:
	.rept	8
	b	.
	.balign	0x80
	.endr
	/* Lower EL, AArch64, synchronous. */
	stp	x0, x1, [sp, #-16]!
	mrs	x0, esr_el2
	lsr	x1, x0, #26
	cmp	x1, #0x24			/* data abort */
	b.eq	dabt
	cmp	x1, #0x16			/* HVC64: ELR is already past it */
	b.ne	done
	ldp	x0, x1, [sp], #16
	mov	x0, #0x10000			/* PSCI 1.0 */
	eret
	.rept	7
	.balign	0x80
	b	.
	.endr

/* A read: the constant FR value into Xt (ESR SRT), then past the 4-byte instruction. */
dabt:
	ubfx	x1, x0, #16, #5
	mrs	x0, elr_el2
	add	x0, x0, #4
	msr	elr_el2, x0
	adr	x0, set_reg
	add	x0, x0, x1, lsl #3
	br	x0
set_reg:
	b	set_x0				/* x0: overwrite its saved copy */
	nop
	mov	x1, #0x90
	b	restore_x0
	.irp	n, 2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30
	mov	x\n, #0x90
	b	restore
	.endr
	b	restore				/* xzr */
set_x0:
	mov	x1, #0x90
	str	x1, [sp]
restore:
	ldp	x0, x1, [sp], #16
	eret
restore_x0:
	ldr	x0, [sp], #16
	eret

/* The final trap: print the virtual ns since the eret, exit 0 (1 if it was not the SMC). */
done:
	isb
	mrs	x2, cntpct_el0
	ldr	x3, t0
	sub	x2, x2, x3
	ldr	x3, =1000000000
	mul	x2, x2, x3
	mrs	x3, cntfrq_el0
	udiv	x20, x2, x3
	cmp	x1, #0x17			/* SMC64 */
	cset	x19, ne
	adr	x0, msg
	bl	puts
	mov	x0, sp				/* digits backwards below sp */
	sub	sp, sp, #32
	strb	wzr, [x0, #-1]!
	mov	x3, #10
1:	udiv	x4, x20, x3
	msub	x5, x4, x3, x20
	add	x5, x5, #'0'
	strb	w5, [x0, #-1]!
	mov	x20, x4
	cbnz	x20, 1b
	bl	puts
	adr	x0, nl
	bl	puts
	adr	x1, exit_block
	str	x19, [x1, #8]
	mov	x0, #0x18			/* semihosting SYS_EXIT */
	hlt	#0xf000
	b	.

/* x0: NUL-terminated string to the PL011 data register. */
puts:
	mov	x1, #0x09000000
1:	ldrb	w2, [x0], #1
	cbz	w2, 2f
	strb	w2, [x1]
	b	1b
2:	ret

msg:	.asciz	"limit: elapsed "
nl:	.asciz	" ns\n"

	.section .data
	.balign	4096
s2_l1:	.quad	0
	.quad	0x400007fd			/* 1 GiB block: AF, SH inner, S2AP RW, MemAttr normal */
	.quad	0, 0
t0:	.quad	0
exit_block:
	.quad	0x20026, 0			/* ADP_Stopped_ApplicationExit, code */

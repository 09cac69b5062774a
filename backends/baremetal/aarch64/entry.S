/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Image entry. QEMU's -kernel loader (virt, virtualization=on) starts the ELF entry at EL2 with
 * the MMU off and x0 = 0; a Linux-style boot loader starts it the same way with x0 = DTB
 * address. Every CPU may arrive here: only the boot CPU (MPIDR affinity 0) goes on, the others
 * wait in WFE. With several vCPUs the boot CPU starts the others by PSCI CPU_ON at
 * _secondary_start (common/run_smp.h), each on a stack of its own.
 */
	.equ	STACK_SIZE, 0x10000		/* per CPU; link.ld reserves 8 */
	.section .text.boot, "ax"
	.global	_start
_start:
	mrs	x1, mpidr_el1
	mov	x2, #0xffffff			/* Aff2..Aff0 */
	movk	x2, #0xff, lsl #32		/* Aff3 */
	tst	x1, x2
	b.ne	park_secondary

	msr	spsel, #1			/* run on SP_ELx, which exceptions to EL2 use too */
	ldr	x1, =__stack_top
	mov	sp, x1

	mrs	x1, CurrentEL
	cmp	x1, #(2 << 2)
	b.ne	1f				/* image_main reports the wrong EL on the console */
	ldr	x1, =tandem_el2_vectors
	msr	vbar_el2, x1
	/*
	 * SCTLR_EL2 (DDI 0487 "SCTLR_EL2", E2H = 0): RES1 bits 29:28, 23:22, 18, 16, 11, 5:4;
	 * I (bit 12) on; M (MMU), A (alignment check), C and EE (big-endian) off, whatever
	 * firmware left.
	 */
	ldr	x1, =0x30c51830
	msr	sctlr_el2, x1
	isb
1:	mov	x29, #0
	mov	x30, #0
	b	baremetal_start			/* x0 = boot argument, untouched so far */

park_secondary:
	wfe
	b	park_secondary

/*
 * A secondary CPU started by arch::start_cpu (PSCI CPU_ON): EL2, MMU off, x0 = its index i
 * (1..7), which picks the stack at __stack_top - i * STACK_SIZE. Then the same EL2 state as
 * the boot CPU, and baremetal_secondary_start(i).
 */
	.global	_secondary_start
_secondary_start:
	cmp	x0, #8
	b.hs	park_secondary
	msr	spsel, #1
	ldr	x1, =__stack_top
	mov	x2, #STACK_SIZE
	msub	x1, x0, x2, x1
	mov	sp, x1
	ldr	x1, =tandem_el2_vectors
	msr	vbar_el2, x1
	ldr	x1, =0x30c51830			/* SCTLR_EL2 as above */
	msr	sctlr_el2, x1
	isb
	mov	x29, #0
	mov	x30, #0
	b	baremetal_secondary_start

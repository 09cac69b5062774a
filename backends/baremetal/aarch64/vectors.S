/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The EL2 vector table (DDI 0487 D1.10.2 "Exception vectors"): 16 slots of 128 bytes, 2 KiB
 * aligned, grouped by where the exception came from:
 *
 *   +0x000  current EL with SP_EL0    never used: EL2 runs with SPSel = 1
 *   +0x200  current EL with SP_ELx    the hypervisor's own exceptions: a bug, report and stop
 *   +0x400  lower EL using AArch64    the guest: back to the world switch's caller
 *   +0x600  lower EL using AArch32    cannot happen: HCR_EL2.RW makes EL1 AArch64
 *
 * Within each group: synchronous, IRQ, FIQ, SError.
 */

.macro hyp_slot kind
	.balign	128
	mov	x0, #\kind
	b	hyp_exception
.endm

/* Keeps the guest's x0/x1 on the stack for tandem_guest_exit, which saves the rest. */
.macro guest_slot kind
	.balign	128
	stp	x0, x1, [sp, #-16]!
	mov	x0, #\kind
	b	tandem_guest_exit
.endm

	.section .text.vectors, "ax"
	.balign	2048
	.global	tandem_el2_vectors
tandem_el2_vectors:
	hyp_slot 0
	hyp_slot 1
	hyp_slot 2
	hyp_slot 3
	hyp_slot 4
	hyp_slot 5
	hyp_slot 6
	hyp_slot 7
	guest_slot 0
	guest_slot 1
	guest_slot 2
	guest_slot 3
	hyp_slot 12
	hyp_slot 13
	hyp_slot 14
	hyp_slot 15

/*
 * A fresh stack, in case the exception was a stack overflow; the C++ side reads ESR_EL2,
 * ELR_EL2 and FAR_EL2 itself and never returns.
 */
hyp_exception:
	ldr	x1, =__panic_stack_top
	mov	sp, x1
	b	tandem_el2_exception

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The world switch. tandem_guest_enter(GuestContext* ctx) saves the host's callee-saved
 * registers (AAPCS64 x19..x30) on the EL2 stack, loads the guest from ctx and ERETs. The
 * guest's next exception to EL2 arrives at a lower-EL vector slot on the same SP_EL2, which
 * still points at that frame; tandem_guest_exit stores the guest into ctx, restores the host
 * registers and returns from tandem_guest_enter with the slot number.
 *
 * EL2 stack while the guest runs:       GuestContext (context.h):
 *   sp + 0    x19 x20                     0   x0 .. x30
 *   ...                                   248 sp_el1
 *   sp + 80   x29 x30                     256 elr      264 spsr
 *   sp + 96   ctx                         272 esr      280 far     288 hpfar
 */
	.equ	HOST_FRAME, 112
	.equ	HOST_CTX, 96
	.equ	CTX_SP_EL1, 248
	.equ	CTX_ELR, 256
	.equ	CTX_SPSR, 264
	.equ	CTX_ESR, 272
	.equ	CTX_FAR, 280
	.equ	CTX_HPFAR, 288

	.text
	.global	tandem_guest_enter
tandem_guest_enter:
	sub	sp, sp, #HOST_FRAME
	stp	x19, x20, [sp, #0]
	stp	x21, x22, [sp, #16]
	stp	x23, x24, [sp, #32]
	stp	x25, x26, [sp, #48]
	stp	x27, x28, [sp, #64]
	stp	x29, x30, [sp, #80]
	str	x0, [sp, #HOST_CTX]

	ldr	x1, [x0, #CTX_SP_EL1]
	msr	sp_el1, x1
	ldr	x1, [x0, #CTX_ELR]
	msr	elr_el2, x1
	ldr	x1, [x0, #CTX_SPSR]
	msr	spsr_el2, x1

	ldp	x2, x3, [x0, #16]
	ldp	x4, x5, [x0, #32]
	ldp	x6, x7, [x0, #48]
	ldp	x8, x9, [x0, #64]
	ldp	x10, x11, [x0, #80]
	ldp	x12, x13, [x0, #96]
	ldp	x14, x15, [x0, #112]
	ldp	x16, x17, [x0, #128]
	ldp	x18, x19, [x0, #144]
	ldp	x20, x21, [x0, #160]
	ldp	x22, x23, [x0, #176]
	ldp	x24, x25, [x0, #192]
	ldp	x26, x27, [x0, #208]
	ldp	x28, x29, [x0, #224]
	ldr	x30, [x0, #240]
	ldp	x0, x1, [x0, #0]
	eret

/* Entered from a guest_slot with the guest's x0/x1 pushed and x0 = slot number. */
	.global	tandem_guest_exit
tandem_guest_exit:
	ldr	x1, [sp, #(16 + HOST_CTX)]
	stp	x2, x3, [x1, #16]
	stp	x4, x5, [x1, #32]
	stp	x6, x7, [x1, #48]
	stp	x8, x9, [x1, #64]
	stp	x10, x11, [x1, #80]
	stp	x12, x13, [x1, #96]
	stp	x14, x15, [x1, #112]
	stp	x16, x17, [x1, #128]
	stp	x18, x19, [x1, #144]
	stp	x20, x21, [x1, #160]
	stp	x22, x23, [x1, #176]
	stp	x24, x25, [x1, #192]
	stp	x26, x27, [x1, #208]
	stp	x28, x29, [x1, #224]
	str	x30, [x1, #240]
	ldp	x2, x3, [sp], #16
	stp	x2, x3, [x1, #0]

	mrs	x2, sp_el1
	str	x2, [x1, #CTX_SP_EL1]
	mrs	x2, elr_el2
	str	x2, [x1, #CTX_ELR]
	mrs	x2, spsr_el2
	str	x2, [x1, #CTX_SPSR]
	mrs	x2, esr_el2
	str	x2, [x1, #CTX_ESR]
	mrs	x2, far_el2
	str	x2, [x1, #CTX_FAR]
	mrs	x2, hpfar_el2
	str	x2, [x1, #CTX_HPFAR]

	ldp	x19, x20, [sp, #0]
	ldp	x21, x22, [sp, #16]
	ldp	x23, x24, [sp, #32]
	ldp	x25, x26, [sp, #48]
	ldp	x27, x28, [sp, #64]
	ldp	x29, x30, [sp, #80]
	add	sp, sp, #HOST_FRAME
	ret

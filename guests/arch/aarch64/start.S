/* SPDX-License-Identifier: Apache-2.0 */
/*
 * aarch64 guest entry at EL1 with the MMU off. Tandem passes x0 = DTB (arm64 booting.rst);
 * QEMU's -kernel loader passes x0 = 0 for an ELF and leaves its DTB at the RAM base. x0 is kept
 * in guest_boot_dtb for the guests that walk the device tree.
 */
	.section .text.start, "ax"
	.global _start
_start:
	msr	spsel, #1		/* exceptions to EL1 then run on the stack set here */
	ldr	x1, =__stack_top
	mov	sp, x1
	ldr	x1, =vectors
	msr	vbar_el1, x1
	isb
	ldr	x1, =__bss_start
	ldr	x2, =__bss_end
1:	cmp	x1, x2
	b.hs	2f
	str	xzr, [x1], #8
	b	1b
2:	ldr	x1, =guest_boot_dtb
	str	x0, [x1]
	bl	guest_main
	bl	guest_exit

/*
 * Entry of the CPUs started by PSCI CPU_ON (guests/lib/board.h): x0 = context = a
 * guest::CpuStart {stack_top, fn, arg}. Same EL1 state as _start (MMU off, DAIF masked).
 */
	.text
	.global	guest_secondary_entry
guest_secondary_entry:
	msr	spsel, #1
	ldr	x1, [x0]
	mov	sp, x1
	ldr	x1, =vectors
	msr	vbar_el1, x1
	isb
	ldr	x1, [x0, #8]
	ldr	x0, [x0, #16]
	blr	x1
	bl	guest_trap		/* fn must not return */

/*
 * VBAR_EL1 table: 16 entries of 128 bytes, 2 KiB aligned (Arm ARM DDI 0487 D1.10.2). Without
 * it an abort would jump to address 0x200 (flash on QEMU virt) and spin there forever. Only an
 * IRQ taken from EL1 on SP_EL1 (entry 5, offset 0x280; the guests run there) goes to the
 * interrupt dispatcher; everything else is unexpected. Guests that never unmask IRQs (PSTATE.I
 * stays set from reset) never get there.
 */
	.section .text.vectors, "ax"
	.balign	2048
vectors:
	.rept	5
	.balign	128
	b	guest_trap
	.endr
	.balign	128
	b	irq_entry
	.rept	10
	.balign	128
	b	guest_trap
	.endr

/*
 * Saves what a C call may clobber (x0-x18, x29, x30) and ELR/SPSR, calls guest_irq_dispatch()
 * and returns to the interrupted code.
 */
	.balign	4
irq_entry:
	sub	sp, sp, #192
	stp	x0, x1, [sp, #0]
	stp	x2, x3, [sp, #16]
	stp	x4, x5, [sp, #32]
	stp	x6, x7, [sp, #48]
	stp	x8, x9, [sp, #64]
	stp	x10, x11, [sp, #80]
	stp	x12, x13, [sp, #96]
	stp	x14, x15, [sp, #112]
	stp	x16, x17, [sp, #128]
	stp	x18, x29, [sp, #144]
	mrs	x0, elr_el1
	mrs	x1, spsr_el1
	stp	x30, x0, [sp, #160]
	str	x1, [sp, #176]
	bl	guest_irq_dispatch
	ldr	x1, [sp, #176]
	ldp	x30, x0, [sp, #160]
	msr	elr_el1, x0
	msr	spsr_el1, x1
	ldp	x18, x29, [sp, #144]
	ldp	x16, x17, [sp, #128]
	ldp	x14, x15, [sp, #112]
	ldp	x12, x13, [sp, #96]
	ldp	x10, x11, [sp, #80]
	ldp	x8, x9, [sp, #64]
	ldp	x6, x7, [sp, #48]
	ldp	x4, x5, [sp, #32]
	ldp	x2, x3, [sp, #16]
	ldp	x0, x1, [sp, #0]
	add	sp, sp, #192
	eret

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * aarch64 guest entry. QEMU's -kernel loader (virt board, no firmware) and Tandem both start
 * the ELF entry at EL1 with the MMU off and x0 = DTB, which the guests do not need.
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
2:	bl	guest_main
	bl	guest_exit

/*
 * VBAR_EL1 table: 16 entries of 128 bytes, 2 KiB aligned (Arm ARM DDI 0487 D1.10.2). Without
 * it an abort would jump to address 0x200 (flash on QEMU virt) and spin there forever.
 */
	.section .text.vectors, "ax"
	.balign	2048
vectors:
	.rept	16
	.balign	128
	b	guest_trap
	.endr

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Image entry. OpenSBI's fw_dynamic (QEMU -bios default) jumps to 0x80200000 in S-mode, which
 * is HS-mode when the hart has the H extension, with a0 = hart id and a1 = DTB address
 * (OpenSBI docs, "FW_DYNAMIC"; RISC-V SBI spec v2.0, 9 "Hart State Management"). Harts that
 * lose the boot lottery wait in WFI for good: one hart runs the one vCPU. SBI HSM starts only
 * the boot hart, so the lottery matters only for firmware that releases every hart at once.
 */
	.section .text.boot, "ax"
	.global	_start
_start:
	csrw	sie, zero			/* HsMachine enables only its timer (hs_timer.h) */
	lla	t0, boot_lottery
	li	t1, 1
	amoswap.w t1, t1, (t0)
	bnez	t1, park_secondary

	lla	sp, __stack_top
	/* sscratch = 0 marks "in HS-mode" for hv_trap_entry (world_switch.S). */
	csrw	sscratch, zero
	lla	t0, hv_trap_entry
	csrw	stvec, t0
	mv	ra, zero
	mv	s0, zero
	mv	a0, a1				/* baremetal_start(boot_arg = DTB) */
	j	baremetal_start

park_secondary:
	wfi
	j	park_secondary

	/* In .data, not .bss: baremetal_start clears .bss after the winner has taken it. */
	.section .data.boot_lottery, "aw"
	.balign	4
boot_lottery:
	.word	0

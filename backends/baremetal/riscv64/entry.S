/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Image entry. OpenSBI's fw_dynamic (QEMU -bios default) jumps to 0x80200000 in S-mode, which
 * is HS-mode when the hart has the H extension, with a0 = hart id and a1 = DTB address
 * (OpenSBI docs, "FW_DYNAMIC"; RISC-V SBI spec v2.0, 9 "Hart State Management"). Harts that
 * lose the boot lottery wait in WFI for good. SBI HSM starts only the boot hart, so the lottery
 * matters only for firmware that releases every hart at once. With several vCPUs the boot hart
 * starts the others by SBI HSM hart_start at _secondary_start (common/run_smp.h). tp holds the
 * physical CPU index (0 = the boot hart, whatever its hart id) for per-hart state (hs_timer).
 */
	.equ	STACK_SIZE, 0x10000		/* per hart; link.ld reserves 8 */
	.section .text.boot, "ax"
	.global	_start
_start:
	csrw	sie, zero			/* HypMachine enables only its timer (hs_timer.h) */
	lla	t0, boot_lottery
	li	t1, 1
	amoswap.w t1, t1, (t0)
	bnez	t1, park_secondary

	lla	t0, boot_hartid
	sd	a0, 0(t0)
	mv	tp, zero
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

/*
 * A hart started by arch::start_cpu (SBI HSM hart_start): S-mode, a0 = hart id, a1 = its
 * physical CPU index i (1..7), which picks the stack at __stack_top - i * STACK_SIZE.
 */
	.global	_secondary_start
_secondary_start:
	csrw	sie, zero
	li	t0, 8
	bgeu	a1, t0, park_secondary
	mv	tp, a1
	lla	sp, __stack_top
	li	t0, STACK_SIZE
	mul	t0, t0, a1
	sub	sp, sp, t0
	csrw	sscratch, zero
	lla	t0, hv_trap_entry
	csrw	stvec, t0
	mv	ra, zero
	mv	s0, zero
	mv	a0, a1				/* baremetal_secondary_start(index) */
	j	baremetal_secondary_start

	/* In .data, not .bss: baremetal_start clears .bss after the winner has taken it. */
	.section .data.boot_lottery, "aw"
	.balign	4
boot_lottery:
	.word	0
	.balign	8
	.global	boot_hartid
boot_hartid:					/* the boot hart's id, from a0 */
	.dword	0

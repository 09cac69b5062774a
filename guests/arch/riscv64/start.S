/* SPDX-License-Identifier: Apache-2.0 */
/*
 * riscv64 guest entry. OpenSBI (QEMU -bios default) and Tandem start the kernel at 0x80200000
 * in S-mode with a0 = hartid and a1 = DTB; a1 is kept in guest_boot_dtb for the guests that
 * walk the device tree.
 */
	.section .text.start, "ax"
	.global _start
_start:
	/*
	 * Hart lottery, as Linux's head.S has: now and then (seen once in ~400 runs with -smp 2)
	 * QEMU 7.2's OpenSBI 1.1 lets a second hart into the kernel entry at boot without any
	 * hart_start. The first hart here runs the guest; a later one parks until the guest adopts
	 * it (guest::cpu_adopt) or forever.
	 */
	lla	t0, guest_hart_lottery
	li	t1, 1
	amoadd.w t1, t1, (t0)
	bnez	t1, park
	lla	sp, __stack_top
	lla	t0, trap_vector
	csrw	stvec, t0
	lla	t0, __bss_start
	lla	t1, __bss_end
1:	bgeu	t0, t1, 2f
	sd	zero, 0(t0)
	addi	t0, t0, 8
	j	1b
2:	lla	t0, guest_boot_hartid	/* a0 is still the hart id */
	sd	a0, 0(t0)
	csrw	sscratch, a0		/* this hart's id, for the interrupt dispatcher */
	lla	t0, guest_boot_dtb
	sd	a1, 0(t0)
	call	guest_main
	call	guest_exit

/*
 * A hart that lost the lottery (a0 = hart id): it says so in guest_parked[a0] and waits for a
 * guest::CpuStart pointer in guest_release[a0], then enters like a started hart. Hart ids
 * beyond the tables park for good.
 */
park:
	li	t0, 8
	bgeu	a0, t0, 3f
	slli	t2, a0, 3
	lla	t1, guest_parked
	add	t1, t1, t2
	li	t3, 1
	fence	rw, w
	sd	t3, 0(t1)
	lla	t1, guest_release
	add	t1, t1, t2
1:	ld	a1, 0(t1)
	beqz	a1, 1b
	fence	r, rw
	j	guest_secondary_entry
3:	wfi
	j	3b

/*
 * Entry of the harts started by SBI HSM hart_start (guests/lib/board.h): a0 = hart id,
 * a1 = opaque = a guest::CpuStart {stack_top, fn, arg}; S-mode, satp = 0, sstatus.SIE = 0.
 */
	.text
	.global	guest_secondary_entry
guest_secondary_entry:
	csrw	sscratch, a0
	ld	sp, 0(a1)
	lla	t0, trap_vector
	csrw	stvec, t0
	ld	t0, 8(a1)
	ld	a0, 16(a1)
	jalr	t0
	call	guest_trap		/* fn must not return */

/*
 * stvec in Direct mode needs a 4-byte aligned base (RISC-V privileged spec, 4.1.2). An access
 * fault that OpenSBI redirects to S-mode ends here instead of at address 0. Interrupts
 * (scause bit 63) go to guest_irq_dispatch(scause) with the caller-saved registers, sepc and
 * sstatus saved, and return with sret; exceptions go to guest_trap. Guests that never set
 * sstatus.SIE never take an interrupt here.
 */
	.balign	4
trap_vector:
	addi	sp, sp, -144
	sd	ra, 0(sp)
	sd	t0, 8(sp)
	sd	t1, 16(sp)
	sd	t2, 24(sp)
	sd	a0, 32(sp)
	sd	a1, 40(sp)
	sd	a2, 48(sp)
	sd	a3, 56(sp)
	sd	a4, 64(sp)
	sd	a5, 72(sp)
	sd	a6, 80(sp)
	sd	a7, 88(sp)
	sd	t3, 96(sp)
	sd	t4, 104(sp)
	sd	t5, 112(sp)
	sd	t6, 120(sp)
	csrr	a0, scause
	bgez	a0, 3f
	csrr	t0, sepc
	sd	t0, 128(sp)
	csrr	t0, sstatus
	sd	t0, 136(sp)
	call	guest_irq_dispatch
	ld	t0, 136(sp)
	csrw	sstatus, t0
	ld	t0, 128(sp)
	csrw	sepc, t0
	ld	ra, 0(sp)
	ld	t0, 8(sp)
	ld	t1, 16(sp)
	ld	t2, 24(sp)
	ld	a0, 32(sp)
	ld	a1, 40(sp)
	ld	a2, 48(sp)
	ld	a3, 56(sp)
	ld	a4, 64(sp)
	ld	a5, 72(sp)
	ld	a6, 80(sp)
	ld	a7, 88(sp)
	ld	t3, 96(sp)
	ld	t4, 104(sp)
	ld	t5, 112(sp)
	ld	t6, 120(sp)
	addi	sp, sp, 144
	sret
3:	j	guest_trap

/* In .data, not .bss: the lottery winner clears .bss while a loser may already be parked. */
	.data
	.balign	8
guest_hart_lottery:
	.word	0
	.balign	8
	.global	guest_parked, guest_release
guest_parked:
	.zero	64
guest_release:
	.zero	64

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * riscv64 guest entry. OpenSBI (QEMU -bios default) and Tandem start the kernel at 0x80200000
 * in S-mode with a0 = hartid and a1 = DTB, which the guests do not need.
 */
	.section .text.start, "ax"
	.global _start
_start:
	lla	sp, __stack_top
	lla	t0, trap_vector
	csrw	stvec, t0
	lla	t0, __bss_start
	lla	t1, __bss_end
1:	bgeu	t0, t1, 2f
	sd	zero, 0(t0)
	addi	t0, t0, 8
	j	1b
2:	call	guest_main
	call	guest_exit

/*
 * stvec in Direct mode needs a 4-byte aligned base (RISC-V privileged spec, 4.1.2). An access
 * fault that OpenSBI redirects to S-mode ends here instead of at address 0.
 */
	.balign	4
trap_vector:
	j	guest_trap

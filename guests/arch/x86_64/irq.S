/* SPDX-License-Identifier: Apache-2.0 */
/*
 * External interrupt entry of the x86_64 guests (vectors 32..255; idt.cpp points the IDT gates
 * here). Stub n pushes its vector and joins x86_irq_common, which saves the registers the
 * System V ABI lets a C++ function clobber, calls x86_irq_dispatch(vector, frame) and returns
 * to the interrupted code.
 *
 * (IRETQ works on the CI machines' paravirtual KVM in 64-bit mode; 32-bit protected-mode IRET
 * does not: KVM's instruction emulator, which runs guest CPL0 code there, fails it with
 * KVM_EXIT_INTERNAL_ERROR. The guests take interrupts in 64-bit mode only.)
 */
	.section .text.irq, "ax"
	.code64

/* 224 stubs of 16 bytes: the gate of vector v is x86_irq_stubs + 16 * (v - 32). */
	.global	x86_irq_stubs
	.p2align 4
x86_irq_stubs:
	.set	vector, 32
	.rept	224
	.p2align 4
	pushq	$vector
	jmp	x86_irq_common
	.set	vector, vector + 1
	.endr

x86_irq_common:
	/* vector, then the CPU's frame: RIP, CS, RFLAGS, RSP, SS. */
	push	%rax
	push	%rcx
	push	%rdx
	push	%rsi
	push	%rdi
	push	%r8
	push	%r9
	push	%r10
	push	%r11
	mov	72(%rsp), %rdi		/* the vector */
	lea	80(%rsp), %rsi		/* the CPU's frame */
	/* The frame is 16-aligned below SS; 6 + 9 slots lie under it, one more re-aligns. */
	sub	$8, %rsp
	call	x86_irq_dispatch
	add	$8, %rsp
	pop	%r11
	pop	%r10
	pop	%r9
	pop	%r8
	pop	%rdi
	pop	%rsi
	pop	%rdx
	pop	%rcx
	pop	%rax
	add	$8, %rsp		/* the vector */
	iretq

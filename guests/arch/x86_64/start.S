/* SPDX-License-Identifier: Apache-2.0 */
/*
 * x86_64 guest entry, the ELF entry point. Tandem enters it in 64-bit long mode with paging on
 * (identity map of at least the first 1 GiB), a flat GDT, interrupts off and no stack; QEMU
 * gets here through the multiboot stub in multiboot.S, which sets up the same state.
 */
	.section .text.start, "ax"
	.code64
	.global _start
_start:
	cli
	cld
	mov	$__stack_top, %rsp
	mov	$__bss_start, %rdi
	mov	$__bss_end, %rcx
	sub	%rdi, %rcx
	xor	%eax, %eax
	rep stosb
	call	x86_install_idt
	call	guest_main
	mov	%eax, %edi
	call	guest_exit

/* Every IDT gate points here (idt.cpp); the guest only reports that it took an exception. */
	.global x86_trap_entry
x86_trap_entry:
	jmp	guest_trap

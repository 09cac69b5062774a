/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The start-up code of the application processors (the `smp` guest). The boot CPU copies
 * [ap_trampoline_start, ap_trampoline_end) to AP_TRAMPOLINE_BASE (0x8000, below 1 MiB and
 * 4 KiB aligned as a SIPI vector must be), fills in the data block at its end and sends
 * INIT-SIPI-SIPI with vector 0x08. Each AP then starts here in real mode at CS:IP = 0x0800:0000
 * (Intel SDM vol.3 8.4.4.1 and 9.1.4) and, as 9.8.5 describes: loads this block's GDT, turns on
 * PAE, the boot CPU's page tables (CR3), EFER.LME and paging, far-jumps to 64-bit code, takes
 * the next stack from the block with LOCK XADD and calls the entry function with no argument.
 * The code runs at AP_TRAMPOLINE_BASE, not where it is linked: every address it uses is
 * computed from that base.
 */
	.set	BASE, 0x8000
#define AT(label) (BASE + ((label) - ap_trampoline_start))

	.section .rodata.ap_trampoline, "a"
	.global	ap_trampoline_start, ap_trampoline_end, ap_trampoline_data

	.code16
ap_trampoline_start:
	cli
	cld
	xor	%ax, %ax
	mov	%ax, %ds
	lgdtl	AT(gdt_pointer)
	mov	%cr4, %eax
	or	$1 << 5, %eax			/* CR4.PAE */
	mov	%eax, %cr4
	movl	AT(data_cr3), %eax
	mov	%eax, %cr3
	mov	$0xc0000080, %ecx		/* IA32_EFER */
	rdmsr
	or	$1 << 8, %eax			/* EFER.LME */
	wrmsr
	mov	%cr0, %eax
	or	$(1 << 31) | 1, %eax		/* CR0.PG | CR0.PE */
	mov	%eax, %cr0
	ljmpl	$0x08, $AT(long_mode)

	.code64
long_mode:
	mov	$0x10, %eax
	mov	%eax, %ds
	mov	%eax, %es
	mov	%eax, %ss
	mov	$1, %eax
	lock xaddq %rax, AT(data_next)		/* rax: this AP's stack index */
	inc	%rax
	imulq	AT(data_stack_size), %rax
	addq	AT(data_stack_base), %rax
	mov	%rax, %rsp
	xor	%ebp, %ebp
	call	*AT(data_entry)
1:	cli
	hlt
	jmp	1b

/* The same flat selectors as Tandem's loader and multiboot.S: 0x08 64-bit code, 0x10 data. */
	.balign	8
gdt:
	.quad	0
	.quad	0x00af9b000000ffff
	.quad	0x00cf93000000ffff
gdt_pointer:
	.word	gdt_pointer - gdt - 1
	.long	AT(gdt)

/* Filled in by the boot CPU (struct ApTrampolineData in smp.cpp). */
	.balign	8
ap_trampoline_data:
data_cr3:	.quad	0
data_stack_base: .quad	0
data_stack_size: .quad	0
data_entry:	.quad	0
data_next:	.quad	0
ap_trampoline_end:

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The QEMU boot path of the x86_64 guests. `qemu-system-x86_64 -kernel` loads multiboot v1
 * images only; QEMU's loader (hw/i386/multiboot.c) takes the header's address fields (the
 * "a.out kludge", flags bit 16), copies the file from the header's offset to load_addr, zeroes
 * up to bss_end_addr and enters entry_addr in 32-bit protected mode with paging off. The stub
 * below keeps what the loader passed in EAX and EBX (multiboot.h), then turns on long mode with an
 * identity map of the first 4 GiB (as Tandem's loader builds: the local APIC and the IOAPIC
 * sit just below 4 GiB) and jumps to the 64-bit entry `_start` that Tandem uses
 * directly. Multiboot Specification 0.6.96, 3.1 and 3.2.
 */
	.set	MB_MAGIC, 0x1badb002
	.set	MB_FLAGS, 1 << 16

	.section .multiboot, "a"
	.balign	4
multiboot_header:
	.long	MB_MAGIC
	.long	MB_FLAGS
	.long	-(MB_MAGIC + MB_FLAGS)
	.long	multiboot_header	/* header_addr */
	.long	__image_start		/* load_addr */
	.long	__data_end		/* load_end_addr */
	.long	__stack_top		/* bss_end_addr: the stack too, so the loader's data lands after it */
	.long	_start32		/* entry_addr */

/* Intel SDM vol.3 9.8.5, initializing IA-32e mode. */
	.section .text.boot32, "ax"
	.code32
	.global	_start32
_start32:
	mov	%eax, multiboot_magic
	mov	%ebx, multiboot_info
	lgdt	boot_gdt_pointer
	mov	$0x10, %eax
	mov	%eax, %ds
	mov	%eax, %es
	mov	%eax, %ss
	mov	%cr4, %eax
	or	$1 << 5, %eax		/* CR4.PAE */
	mov	%eax, %cr4
	mov	$boot_pml4, %eax
	mov	%eax, %cr3
	mov	$0xc0000080, %ecx	/* IA32_EFER */
	rdmsr
	or	$1 << 8, %eax		/* EFER.LME */
	wrmsr
	mov	%cr0, %eax
	or	$(1 << 31) | 1, %eax	/* CR0.PG | CR0.PE */
	mov	%eax, %cr0
	ljmp	$0x08, $_start

/* In .data, not .bss: _start clears .bss after the stub has written them. */
	.section .data.multiboot, "aw"
	.balign	4
	.global	multiboot_magic, multiboot_info
multiboot_magic:
	.long	0
multiboot_info:
	.long	0

/* Accessed bits preset, so loading a selector never writes to the table. */
	.section .rodata.boot32, "a"
	.balign	8
boot_gdt:
	.quad	0
	.quad	0x00af9b000000ffff	/* 0x08: 64-bit code (L = 1) */
	.quad	0x00cf93000000ffff	/* 0x10: flat data */
boot_gdt_pointer:
	.word	boot_gdt_pointer - boot_gdt - 1
	.long	boot_gdt

/*
 * 4-level paging, PML4[0] -> PDPT[0..3] -> 4 x 512 x 2 MiB pages (P | RW | PS): [0, 4 GiB);
 * SDM vol.3 4.5. The 2 MiB pages from 3 GiB up (the APIC windows) are uncached (PCD | PWT).
 */
	.section .data.boot_pages, "aw"
	.balign	4096
boot_pml4:
	.quad	boot_pdpt + 0x3
	.fill	511, 8, 0
boot_pdpt:
	.quad	boot_pd + 0x3
	.quad	boot_pd + 0x1000 + 0x3
	.quad	boot_pd + 0x2000 + 0x3
	.quad	boot_pd + 0x3000 + 0x3
	.fill	508, 8, 0
boot_pd:
	.set	page, 0
	.rept	512 * 3
	.quad	page | 0x83
	.set	page, page + 0x200000
	.endr
	.rept	512
	.quad	page | 0x9b
	.set	page, page + 0x200000
	.endr

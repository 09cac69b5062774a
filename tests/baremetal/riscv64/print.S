/* SPDX-License-Identifier: Apache-2.0 */
/* Console output for the riscv64 bare-metal test guests: bytes to the UART whose address is in
 * s0 (the guests keep it there). Clobbers t0-t3. */
	.text
	.globl	puts, put_hex_line

puts:					/* a0 = NUL-terminated string */
	mv	t0, a0
1:	lbu	t1, 0(t0)
	beqz	t1, 2f
	sb	t1, 0(s0)
	addi	t0, t0, 1
	j	1b
2:	ret

put_hex_line:				/* a0 as 0x<hex>, then a newline */
	li	t1, '0'
	sb	t1, 0(s0)
	li	t1, 'x'
	sb	t1, 0(s0)
	li	t2, 60			/* shift of the current digit */
1:	beqz	t2, 2f			/* skip leading zeros, keep the last digit */
	srl	t1, a0, t2
	bnez	t1, 2f
	addi	t2, t2, -4
	j	1b
2:	srl	t1, a0, t2
	andi	t1, t1, 15
	lla	t3, hex_digits
	add	t3, t3, t1
	lbu	t1, 0(t3)
	sb	t1, 0(s0)
	addi	t2, t2, -4
	bgez	t2, 2b
	li	t1, '\n'
	sb	t1, 0(s0)
	ret

	.section .rodata
hex_digits:	.ascii	"0123456789abcdef"

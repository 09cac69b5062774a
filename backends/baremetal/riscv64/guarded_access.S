/* SPDX-License-Identifier: Apache-2.0 */
/*
 * HS-mode instructions that may trap, each with a local handler: stvec points at it for the
 * one instruction, so a fault reports a result instead of reaching hv_trap_entry as a
 * hypervisor bug. The handler continues in HS-mode without sret; the trap CSRs it clobbers
 * (sepc, scause, stval, htval, htinst, hstatus.SPV/GVA) were saved by the world switch or are
 * rewritten before the next guest entry.
 */
	.section .text.guarded_access, "ax"

/*
 * uint64_t hv_guest_fetch_u16(uint64_t gva, uint64_t* scause_out): HLVX.HU (privileged spec
 * 20240411, 18.3.1) reads an instruction halfword as the guest's fetch would, through vsatp
 * and hgatp with the guest's privilege (hstatus.SPVP, as its last trap left it).
 * *scause_out = 0, or the cause of the fault the read took (then the result is 0).
 */
	.global hv_guest_fetch_u16
	.balign	4
hv_guest_fetch_u16:
	lla	t0, .Lfetch_fault
	csrrw	t1, stvec, t0
	.word	0x64354573		/* hlvx.hu a0, (a0) */
	sd	zero, 0(a1)
	csrw	stvec, t1
	ret
	.balign	4
.Lfetch_fault:
	csrr	t0, scause
	sd	t0, 0(a1)
	li	a0, 0
	csrw	stvec, t1
	ret

/*
 * bool hv_has_h_extension(void): whether hstatus (0x600) exists. Without the H extension the
 * read is an illegal instruction (18.1), e.g. under QEMU with -cpu rv64,h=false.
 */
	.global hv_has_h_extension
	.balign	4
hv_has_h_extension:
	lla	t0, .Lno_h
	csrrw	t1, stvec, t0
	csrr	a0, 0x600
	li	a0, 1
	csrw	stvec, t1
	ret
	.balign	4
.Lno_h:
	li	a0, 0
	csrw	stvec, t1
	ret

/*
 * bool hv_has_sstc(void): whether vstimecmp (0x24d) is accessible from HS-mode: Sstc, enabled
 * by M-mode in menvcfg.STCE (the Sstc extension chapter); else an illegal instruction.
 */
	.global hv_has_sstc
	.balign	4
hv_has_sstc:
	lla	t0, .Lno_sstc
	csrrw	t1, stvec, t0
	csrr	a0, 0x24d
	li	a0, 1
	csrw	stvec, t1
	ret
	.balign	4
.Lno_sstc:
	li	a0, 0
	csrw	stvec, t1
	ret

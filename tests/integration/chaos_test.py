#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Chaos test: no guest may crash, hang or abort the host process.

    chaos_test.py --tandem <tandem> --guests <build>/guests --backend emu|kvm
                  [--seed N] [--random N] [--jobs N] [--only NAME] [--keep DIR] [--list]

Generates, from a fixed seed, ELF64 guests for every architecture the backend runs: random code
at the platform's load address (aarch64 0x40200000, riscv64 0x80200000, x86_64 0x100000), a
hand-assembled "nasty" list (wild jumps, MMIO sweeps, endless loops, halts, undefined and
misaligned accesses, firmware calls with garbage arguments), malformed ELF files (segments
beyond RAM, entry outside RAM, truncations, header fields that overflow) and random mutations
of <guests>/<arch>/hello.elf. Each runs as `tandem run --timeout 2 --mem 16M` under an outer
60 s limit (a loaded machine stretches a 2 s run; a hang never ends). Every case must end with
a normal exit: a guest status, 124 (time limit, with its message), 125 (with a one-line
"guest fault" / "backend failure" report), or 2 for the file and input cases only (with an
error line; the input cases, odd files and option values, want exactly one line naming what is
wrong). Never a signal, never the outer limit.

A failing case prints one line with its name, seed and the commands that reproduce it; its
ELF stays in --keep DIR (default: a fresh temporary directory, kept when anything failed).
Exit status 0 when every case passed, 1 otherwise, 77 (skip) when the kvm backend is
unavailable. Python 3 standard library only.
"""

import argparse
import concurrent.futures
import os
import random
import shlex
import struct
import subprocess
import sys
import tempfile
import time

RUN_TIMEOUT = "2"
RUN_MEM = "16M"
MEM_BYTES = 16 << 20
OUTER_TIMEOUT = 60
MAX_STDERR_LINES = 40  # guest-triggered events log at debug: a guest must not flood stderr

EM = {"aarch64": 183, "riscv64": 243, "x86_64": 62}
RAM_BASE = {"aarch64": 0x4000_0000, "riscv64": 0x8000_0000, "x86_64": 0}
LOAD = {"aarch64": 0x4020_0000, "riscv64": 0x8020_0000, "x86_64": 0x10_0000}
# MMIO pages of each board (core/vm/platform.cpp); x86_64 has port I/O only.
MMIO_PAGES = {
    # PL011; GICD; GICR 0 (RD_base and SGI_base frames) and GICR 1 of a --cpus 2 VM.
    "aarch64": [0x0900_0000, 0x0800_0000, 0x0801_0000 - 0x1000, 0x080A_0000, 0x080B_0000,
                0x080C_0000],
    # NS16550; sifive_test; CLINT (msip, mtimecmp, mtime); PLIC (priorities, pending+enables,
    # contexts 0/1 threshold+claim).
    "riscv64": [0x1000_0000, 0x10_0000, 0x200_0000, 0x200_4000, 0x200_B000, 0xC00_0000,
                0xC00_1000, 0xC00_2000, 0xC20_0000, 0xC20_1000],
    "x86_64": [],
}


def ram_end(arch):
    return RAM_BASE[arch] + MEM_BYTES


# --------------------------------------------------------------------------------------------
# ELF writer


def elf64(arch, segments, entry, *, machine=None, phnum=None, phoff=64, phentsize=56,
          etype=2, ei_class=2, ei_data=1):
    """segments: list of (paddr, data, memsz[, p_type, flags, vaddr, offset, filesz]).
    Field overrides let the malformed cases lie about sizes and offsets."""
    machine = EM[arch] if machine is None else machine
    count = len(segments) if phnum is None else phnum
    data_off = 0x1000
    phdrs = b""
    blobs = []
    for seg in segments:
        paddr, data, memsz = seg[0], seg[1], seg[2]
        ptype = seg[3] if len(seg) > 3 else 1
        flags = seg[4] if len(seg) > 4 else 7
        vaddr = seg[5] if len(seg) > 5 and seg[5] is not None else paddr
        offset = seg[6] if len(seg) > 6 and seg[6] is not None else data_off
        filesz = seg[7] if len(seg) > 7 and seg[7] is not None else len(data)
        phdrs += struct.pack("<IIQQQQQQ", ptype, flags, offset, vaddr, paddr, filesz, memsz,
                             0x1000)
        blobs.append((data_off, data))
        data_off += (len(data) + 0xFFF) & ~0xFFF
    ident = b"\x7fELF" + bytes([ei_class, ei_data, 1, 0]) + bytes(8)
    header = ident + struct.pack("<HHIQQQIHHHHHH", etype, machine, 1, entry, phoff, 0, 0, 64,
                                 phentsize, count, 64, 0, 0)
    out = bytearray(header)
    if phoff == 64:
        out += phdrs
    end = max([0x1000] + [o + len(d) for o, d in blobs])
    out += bytes(end - len(out)) if end > len(out) else b""
    for off, data in blobs:
        out[off:off + len(data)] = data
    return bytes(out)


def guest(arch, code, memsz=None):
    """A well-formed guest: one PT_LOAD of `code` at the load address, entry at its start."""
    return elf64(arch, [(LOAD[arch], code, memsz or max(len(code), 0x1000))], LOAD[arch])


# --------------------------------------------------------------------------------------------
# Tiny assemblers (encodings checked against llvm-mc; the comments give the mnemonic)


class A64:
    def __init__(self):
        self.words = []

    def emit(self, *words):
        self.words.extend(w & 0xFFFFFFFF for w in words)
        return self

    def pos(self):
        return len(self.words)

    def mov(self, rd, value):  # movz/movk
        value &= (1 << 64) - 1
        self.emit(0xD2800000 | ((value & 0xFFFF) << 5) | rd)
        for hw in (1, 2, 3):
            part = (value >> (16 * hw)) & 0xFFFF
            if part:
                self.emit(0xF2800000 | (hw << 21) | (part << 5) | rd)
        return self

    def br(self, rn):
        return self.emit(0xD61F0000 | (rn << 5))

    def ldr(self, size, rt, rn):  # ldrb/ldrh/ldr w/ldr x [rn]
        op = {1: 0x39400000, 2: 0x79400000, 4: 0xB9400000, 8: 0xF9400000}[size]
        return self.emit(op | (rn << 5) | rt)

    def str(self, size, rt, rn):
        op = {1: 0x39000000, 2: 0x79000000, 4: 0xB9000000, 8: 0xF9000000}[size]
        return self.emit(op | (rn << 5) | rt)

    def add(self, rd, rn, imm):  # add xd, xn, #imm
        return self.emit(0x91000000 | (imm << 10) | (rn << 5) | rd)

    def cmp(self, rn, rm):  # subs xzr, xn, xm
        return self.emit(0xEB000000 | (rm << 16) | (rn << 5) | 31)

    def b_cond(self, cond, target):  # b.<cond> to word index `target`
        off = (target - self.pos()) & 0x7FFFF
        return self.emit(0x54000000 | (off << 5) | cond)

    def b(self, target):
        return self.emit(0x14000000 | ((target - self.pos()) & 0x3FFFFFF))

    def msr(self, op0, op1, crn, crm, op2, rt):
        return self.emit(0xD5000000 | (op0 << 19) | (op1 << 16) | (crn << 12) | (crm << 8) |
                         (op2 << 5) | rt)

    def mrs(self, rt, op0, op1, crn, crm, op2):
        return self.emit(0xD5200000 | (op0 << 19) | (op1 << 16) | (crn << 12) | (crm << 8) |
                         (op2 << 5) | rt)

    def spin(self):  # b .
        return self.b(self.pos())

    def isb(self):
        return self.emit(0xD5033FDF)

    def system_off(self):  # PSCI SYSTEM_OFF over HVC
        return self.mov(0, 0x84000008).emit(0xD4000002)

    def bytes(self):
        return b"".join(struct.pack("<I", w) for w in self.words)


LO, NE = 3, 1  # aarch64 condition codes


def a64_sweep(base, size, width, load, value=0x5A5A5A5A5A5A5A5A):
    """Every `width`-aligned offset of the page [base, base+size): store `value` or load."""
    a = A64().mov(0, base).mov(1, base + size).mov(2, value)
    top = a.pos()
    (a.ldr(width, 3, 0) if load else a.str(width, 2, 0))
    a.add(0, 0, width).cmp(0, 1).b_cond(LO, top)
    return a.system_off().bytes()


class RV:
    def __init__(self):
        self.words = []

    def emit(self, *words):
        self.words.extend(w & 0xFFFFFFFF for w in words)
        return self

    def pos(self):
        return len(self.words)

    def li(self, rd, value):  # auipc rd,0; ld rd,12(rd); j +12; .dword value (8-aligned)
        while (self.pos() * 4 + 12) % 8:
            self.emit(0x00000013)  # nop
        value &= (1 << 64) - 1
        self.emit(0x00000017 | (rd << 7), 0x00003003 | (12 << 20) | (rd << 15) | (rd << 7),
                  0x00C0006F, value & 0xFFFFFFFF, value >> 32)
        return self

    def itype(self, opcode, funct3, rd, rs1, imm):
        return self.emit(((imm & 0xFFF) << 20) | (rs1 << 15) | (funct3 << 12) | (rd << 7) | opcode)

    def load(self, size, rd, rs1, imm=0):  # lb/lh/lw/ld
        return self.itype(0x03, {1: 0, 2: 1, 4: 2, 8: 3}[size], rd, rs1, imm)

    def store(self, size, rs2, rs1, imm=0):  # sb/sh/sw/sd
        f3 = {1: 0, 2: 1, 4: 2, 8: 3}[size]
        return self.emit(((imm >> 5 & 0x7F) << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) |
                         ((imm & 0x1F) << 7) | 0x23)

    def addi(self, rd, rs1, imm):
        return self.itype(0x13, 0, rd, rs1, imm)

    def jr(self, rs1):  # jalr x0, 0(rs1)
        return self.itype(0x67, 0, 0, rs1, 0)

    def bltu(self, rs1, rs2, target):
        off = (target - self.pos()) * 4
        imm = off & 0x1FFF
        return self.emit(((imm >> 12 & 1) << 31) | ((imm >> 5 & 0x3F) << 25) | (rs2 << 20) |
                         (rs1 << 15) | (6 << 12) | ((imm >> 1 & 0xF) << 8) |
                         ((imm >> 11 & 1) << 7) | 0x63)

    def j(self, target):  # jal x0
        off = (target - self.pos()) * 4 & 0x1FFFFF
        return self.emit(((off >> 20 & 1) << 31) | ((off >> 1 & 0x3FF) << 21) |
                         ((off >> 11 & 1) << 20) | ((off >> 12 & 0xFF) << 12) | 0x6F)

    def spin(self):  # j .
        return self.j(self.pos())

    def csrw(self, csr, rs1):  # csrrw x0, csr, rs1
        return self.emit((csr << 20) | (rs1 << 15) | (1 << 12) | 0x73)

    def amo(self, funct5, size, rd, rs2, rs1):  # amo*.w / amo*.d
        return self.emit((funct5 << 27) | (rs2 << 20) | (rs1 << 15) | ({4: 2, 8: 3}[size] << 12) |
                         (rd << 7) | 0x2F)

    def ecall(self):
        return self.emit(0x00000073)

    def sbi(self, ext, fid, *args):
        for i, v in enumerate(args):
            self.li(10 + i, v)
        return self.li(17, ext).li(16, fid).ecall()

    def system_off(self):  # SBI SRST system_reset(shutdown, no reason)
        return self.sbi(0x53525354, 0, 0, 0)

    def bytes(self):
        return b"".join(struct.pack("<I", w) for w in self.words)


T0, T1, T2, T3 = 5, 6, 7, 28


def rv_sweep(base, size, width, load, value=0x5A5A5A5A5A5A5A5A):
    r = RV().li(T0, base).li(T1, base + size).li(T2, value)
    top = r.pos()
    (r.load(width, T3, T0) if load else r.store(width, T2, T0))
    r.addi(T0, T0, width).bltu(T0, T1, top)
    return r.system_off().bytes()


def x86_movabs(reg, value):  # movabs r64, imm64 (rax=0 .. rdi=7)
    return bytes([0x48, 0xB8 + reg]) + struct.pack("<Q", value & ((1 << 64) - 1))


RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI = range(8)
X86_EXIT0 = bytes.fromhex("66baf400" "b000" "ee")  # mov dx,0xf4; mov al,0; out dx,al -> 0
JMP_SELF = bytes.fromhex("ebfe")


def x86_port_sweep(op):
    """Every port 0..0xffff except isa-debug-exit (0xf4..0xf7), with one IN/OUT opcode byte
    (ee/ef/66ef out, ec/ed/66ed in), then exit through isa-debug-exit."""
    prefix = b"\x66" if op.startswith("66") else b""
    opc = bytes.fromhex(op[-2:])
    body = (bytes.fromhex("31d2")                      # xor edx, edx
            + x86_movabs(RAX, 0xA5A5A5A5))             # value
    # loop: cmp dx,0xf4; jb do; cmp dx,0xf7; jbe skip; do: <io>; skip: inc dx; jnz loop
    io = prefix + opc
    loop = (bytes.fromhex("6681faf400")                # cmp dx, 0xf4
            + bytes.fromhex("7207")                    # jb +7 (do)
            + bytes.fromhex("6681faf700")              # cmp dx, 0xf7
            + bytes([0x76, len(io)])                   # jbe skip
            + io
            + bytes.fromhex("66ffc2"))                 # inc dx
    back = -(len(loop) + 2)
    return body + loop + bytes([0x75, back & 0xFF]) + X86_EXIT0 + JMP_SELF


# --------------------------------------------------------------------------------------------
# Cases


class Case:
    def __init__(self, name, arch, data, *, file_case=False, seed=None, want=None, cpus=2,
                 path=None, argv=None, message=None):
        self.cpus = cpus  # `tandem run --cpus`: every case has idle secondaries to start
        self.name = name
        self.arch = arch
        self.data = data
        self.file_case = file_case  # malformed file: status 2 allowed
        self.seed = seed
        self.want = want  # optional set of statuses the case must end with
        # Host-side inputs: `path(workdir)` makes the guest path instead of writing `data`
        # (a directory, a device, a FIFO); `argv(tandem, path)` replaces the `tandem run`
        # command; `message`, a word the one-line error must contain.
        self.path = path
        self.argv = argv
        self.message = message


def nasty_aarch64():
    arch = "aarch64"
    end = ram_end(arch)
    pl011 = 0x0900_0000
    c = []

    def add(name, code, want=None, memsz=None):
        c.append(Case(f"nasty-{arch}-{name}", arch, guest(arch, code, memsz), want=want))

    for tag, addr in [("zero", 0), ("below-ram", RAM_BASE[arch] - 4), ("ram-end", end),
                      ("high", 0xFFFF_FFFF_FFFF_F000), ("ipa-limit", 1 << 40),
                      ("past-mmio", pl011 + 0x1000)]:
        add(f"jump-{tag}", A64().mov(0, addr).br(0).bytes(), {125})
    add("jump-mmio", A64().mov(0, pl011).br(0).bytes(), {125})
    add("jump-last-word", A64().mov(0, end - 4).br(0).bytes(), {125})  # zeroed RAM: udf
    for page in MMIO_PAGES[arch]:
        for w in (1, 2, 4, 8):
            add(f"mmio-store-{page:#x}-w{w}", a64_sweep(page, 0x1000, w, False))
            add(f"mmio-load-{page:#x}-w{w}", a64_sweep(page, 0x1000, w, True))
    add("loop", A64().b(0).bytes(), {124})
    add("wfi-loop", A64().emit(0xD503207F).b(0).bytes(), {124, 125})  # wfi; b .-4
    add("wfe-loop", A64().emit(0xD503205F).b(0).bytes(), {124, 125})
    add("udf", A64().emit(0).bytes(), {125})
    add("svc", A64().emit(0xD4000001).bytes(), {125})
    add("brk", A64().emit(0xD4200000).bytes(), {125})
    add("hlt-not-semihosting", A64().emit(0xD4400000).bytes(), {125})  # hlt #0
    add("eret-el2", A64().mov(0, 0x3C9).msr(3, 0, 4, 0, 0, 0).mov(1, LOAD[arch])
        .msr(3, 0, 4, 0, 1, 1).emit(0xD69F03E0).bytes())  # spsr_el1=EL2h; elr_el1; eret
    # AArch32 user mode at an A32 UDF (without it, 14 MiB of zeros take ~1.3 s to run).
    code = A64().mov(0, 0x10).msr(3, 0, 4, 0, 0, 0).mov(1, LOAD[arch] + 0x100)
    code = code.msr(3, 0, 4, 0, 1, 1).emit(0xD69F03E0).bytes()
    add("eret-aarch32", code.ljust(0x100, b"\0") + struct.pack("<I", 0xE7F000F0), {125})
    add("eret-el0", A64().mov(0, 0).msr(3, 0, 4, 0, 0, 0).mov(1, LOAD[arch] + 0x100)
        .msr(3, 0, 4, 0, 1, 1).emit(0xD69F03E0).bytes())
    # Misaligned and straddling accesses (MMU off: Device memory, alignment checked).
    add("misaligned-ram-load", A64().mov(0, LOAD[arch] + 0x801).ldr(8, 1, 0).system_off().bytes())
    add("misaligned-mmio-load", A64().mov(0, pl011 + 1).ldr(4, 1, 0).system_off().bytes())
    add("misaligned-mmio-store", A64().mov(0, pl011 + 2).str(8, 1, 0).system_off().bytes())
    add("straddle-ram-end", A64().mov(0, end - 4).ldr(8, 1, 0).system_off().bytes())
    add("straddle-mmio-end", A64().mov(0, pl011 + 0xFFC).str(8, 1, 0).system_off().bytes())
    add("straddle-below-ram", A64().mov(0, RAM_BASE[arch] - 4).str(8, 1, 0).system_off().bytes())
    # Pairs, exclusives, DC ZVA and 16-byte SIMD accesses to the UART.
    add("mmio-ldp", A64().mov(0, pl011).emit(0xA9400801).system_off().bytes())  # ldp x1,x2,[x0]
    add("mmio-stp", A64().mov(0, pl011 + 0xFF8).emit(0xA9000801).system_off().bytes())
    add("mmio-ldxr-stxr", A64().mov(0, pl011).emit(0xC85F7C01, 0xC8027C01).system_off().bytes())
    add("mmio-dc-zva", A64().mov(0, pl011).emit(0xD50B7420).system_off().bytes())
    add("ram-end-dc-zva", A64().mov(0, end - 64).emit(0xD50B7420).mov(0, end).emit(0xD50B7420)
        .system_off().bytes())
    simd = A64().mov(0, 3 << 20).msr(3, 0, 1, 0, 2, 0).isb().mov(0, pl011)  # cpacr_el1.FPEN
    add("mmio-str-q", A64().emit(*simd.words).emit(0x3D800000).system_off().bytes())  # str q0
    add("mmio-ld1-64b", A64().emit(*simd.words).emit(0x4C402000).system_off().bytes())  # ld1 x4
    # System registers: MMU on with garbage tables, GIC sysregs Unicorn does not model.
    add("mmu-garbage", A64().mov(0, 0x4100_0000).msr(3, 0, 2, 0, 0, 0).mov(0, 0x2_0000_5A19)
        .msr(3, 0, 2, 0, 2, 0).mrs(0, 3, 0, 1, 0, 0).emit(0xB2400000).msr(3, 0, 1, 0, 0, 0).isb()
        .system_off().bytes())  # ttbr0, tcr, orr x0,x0,#1 -> sctlr_el1
    add("icc-sre", A64().mov(0, 7).msr(3, 0, 12, 12, 5, 0).system_off().bytes())
    add("icc-iar", A64().mrs(0, 3, 0, 12, 12, 0).system_off().bytes())
    add("impdef-sysreg", A64().mrs(0, 3, 1, 15, 2, 1).system_off().bytes())
    # The guest's own vector (VBAR + 0x200 holds zeros: UDF) takes the exception, faults again
    # and again, as on hardware and QEMU; --timeout ends it (emu delivers exceptions since
    # issue 13).
    add("vbar-then-udf", A64().mov(0, LOAD[arch]).msr(3, 0, 12, 0, 0, 0).isb().emit(0).bytes(),
        {124})
    # Firmware calls with garbage arguments: every PSCI function, over HVC then SMC.
    for conduit, insn in (("hvc", 0xD4000002), ("smc", 0xD4000003)):
        a = A64()
        for fid in list(range(0x84000000, 0x84000015)) + list(range(0xC4000000, 0xC4000015)) + [
                0, 0xFFFFFFFF, 0x8600FF01, 0xC2000000]:
            if fid in (0x84000002, 0x84000008, 0x84000009, 0x84000012, 0xC4000012):
                continue  # CPU_OFF / SYSTEM_OFF / SYSTEM_RESET(2) end the run: separate cases
            a.mov(0, fid).mov(1, 0xDEAD_BEEF_0000_0000 | fid).mov(2, end).mov(3, 0x0900_0000)
            a.emit(insn)
        add(f"psci-all-{conduit}", a.system_off().bytes())
    for name, fid in (("cpu-off", 0x84000002), ("reset", 0x84000009), ("reset2", 0xC4000012),
                      ("cpu-suspend", 0xC4000001), ("cpu-on-self", 0xC4000003)):
        add(f"psci-{name}", A64().mov(0, fid).mov(1, 0).mov(2, end + 0x1000).mov(3, 7)
            .emit(0xD4000002).spin().bytes())
    # CPU_ON of every target with hostile entries: unmapped, MMIO, RAM end, the caller's own
    # code (both vCPUs then run it and start each other again), twice, and a garbage MPIDR.
    for tag, entry in (("unmapped", 0x1000), ("mmio", pl011), ("ram-end", end - 4),
                       ("own-code", LOAD[arch]), ("zeros", LOAD[arch] + 0x800),
                       ("high", 1 << 63)):
        a = A64()
        for target in (1, 1, 0, 7, 0xFF00_0000_01):
            a.mov(0, 0xC4000003).mov(1, target).mov(2, entry).mov(3, 0xDEAD).emit(0xD4000002)
        add(f"cpu-on-{tag}", a.mov(0, 0x5000_0000).mov(1, 0).spin().bytes(), {124, 125})
    # Timer and GIC: an interrupt storm into a vector table at an unmapped address, and
    # interrupts unmasked with a garbage GIC configuration.
    storm = (A64().mov(0, 0x1000).msr(3, 0, 12, 0, 0, 0)  # vbar_el1 = unmapped
             .mov(0, 0).msr(3, 3, 14, 3, 2, 0).mov(0, 1).msr(3, 3, 14, 3, 1, 0)  # cval=0, ctl=1
             .mov(0, 0x0800_0000).mov(1, 0x13).str(4, 1, 0)  # GICD_CTLR: ARE | groups
             .mov(0, 0x080B_0000 + 0x80).mov(1, ~0 & 0xFFFF_FFFF).str(4, 1, 0)  # IGROUPR0
             .mov(0, 0x080B_0000 + 0x100).str(4, 1, 0)  # ISENABLER0: every SGI/PPI
             .mov(0, 1).msr(3, 0, 12, 12, 7, 0).mov(0, 0xFF).msr(3, 0, 4, 6, 0, 0)
             .emit(0xD50342FF).spin())  # msr daifclr, #2; b .
    add("irq-storm-unmapped-vector", storm.bytes(), {124, 125})
    a = A64()
    for op2 in range(8):
        for crm in (8, 9, 11, 12):
            a.mov(0, 0xFFFF_FFFF_FFFF_FFFF).msr(3, 0, 12, crm, op2, 0).mrs(1, 3, 0, 12, crm, op2)
    a.mov(0, 0xFFFF_FFFF).msr(3, 3, 14, 3, 0, 0).mrs(1, 3, 3, 14, 0, 2)  # tval, cntvct
    add("icc-cntv-garbage", a.system_off().bytes())
    # Semihosting (HLT #0xf000) with bad parameter blocks.
    for tag, op, param in (("exit-unmapped", 0x18, 0x1234_0000), ("exit-mmio", 0x18, pl011),
                           ("exit-straddle", 0x20, end - 8), ("exit-high", 0x18, 1 << 63),
                           ("write0-unmapped", 0x04, 0x10), ("open-garbage", 0x01, end - 1),
                           ("unknown-op", 0xFFFF_FFFF, 0)):
        add(f"semihost-{tag}", A64().mov(0, op).mov(1, param).emit(0xD45E0000).system_off()
            .bytes())
    # Wipe all of RAM (the code and the page tables of nothing), then run into zeros.
    a = A64().mov(0, RAM_BASE[arch]).mov(1, end).mov(2, 0)
    top = a.pos()
    a.str(8, 2, 0).add(0, 0, 8).cmp(0, 1).b_cond(LO, top)
    add("wipe-ram", a.bytes(), {125})
    return c


def nasty_riscv64():
    arch = "riscv64"
    end = ram_end(arch)
    uart, test_dev = 0x1000_0000, 0x10_0000
    c = []

    def add(name, code, want=None, memsz=None, message=None):
        c.append(Case(f"nasty-{arch}-{name}", arch, guest(arch, code, memsz), want=want,
                      message=message))

    for tag, addr in [("zero", 0), ("trampoline", 0x1000), ("below-ram", RAM_BASE[arch] - 4),
                      ("ram-end", end), ("high", 0xFFFF_FFFF_FFFF_F000),
                      ("sv39x4-limit", 1 << 41)]:
        add(f"jump-{tag}", RV().li(T0, addr).jr(T0).bytes(), {125})
    add("jump-mmio-uart", RV().li(T0, uart).jr(T0).bytes(), {125})
    add("jump-mmio-test", RV().li(T0, test_dev).jr(T0).bytes(), {125})
    add("jump-misaligned", RV().li(T0, LOAD[arch] + 2).jr(T0).bytes())
    for page in MMIO_PAGES[arch]:
        for w in (1, 2, 4, 8):
            add(f"mmio-store-{page:#x}-w{w}", rv_sweep(page, 0x1000, w, False))
            add(f"mmio-load-{page:#x}-w{w}", rv_sweep(page, 0x1000, w, True))
    add("sifive-fail-code", RV().li(T0, test_dev).li(T1, 0x0063_3333).store(4, T1, T0).bytes(),
        {0x63})
    add("loop", RV().j(0).bytes(), {124})
    add("wfi-loop", RV().emit(0x10500073).j(0).bytes(), {124, 125})
    add("illegal-zero", RV().emit(0).bytes(), {125})
    add("illegal-ones", RV().emit(0xFFFFFFFF).bytes(), {125})
    add("ebreak", RV().emit(0x00100073).bytes(), {125})
    add("mret-from-s", RV().emit(0x30200073).bytes(), {125})
    add("rdtime", RV().emit(0xC0102573).system_off().bytes(), {0})  # csrrs a0, time, x0
    # csrrs t0, time, t0 with t0 = 0: rs1 is not x0, so it attempts a write (Zicsr, "CSR
    # Instructions": only rs1 = x0 does not write) to a read-only CSR, which is illegal (priv
    # spec 2.1). By the spec, not by QEMU 7.2, which reads.
    add("csrrs-time-rs1-zero-valued", RV().li(T0, 0).emit(0xC012A2F3).system_off().bytes(), {125},
        message="illegal instruction")
    add("csr-mstatus", RV().li(T0, 0).csrw(0x300, T0).system_off().bytes())
    add("satp-garbage", RV().li(T0, (8 << 60) | 0x4_0000).csrw(0x180, T0)
        .emit(0x12000073).system_off().bytes())  # sfence.vma
    add("satp-ram-pt", RV().li(T0, (8 << 60) | (LOAD[arch] >> 12)).csrw(0x180, T0)
        .emit(0x12000073).system_off().bytes())
    # A root page table inside the PLIC or the CLINT: QEMU and the bare-metal image take an
    # access fault (PMA: no page walks in I/O regions). Unicorn's walk reads the device's
    # registers instead (zeros: an invalid PTE), so emu reports a page fault: backends/emu notes.
    for tag, base in (("plic", 0x0C00_0000), ("clint", 0x0200_0000)):
        add(f"satp-pt-in-{tag}", RV().li(T0, (8 << 60) | (base >> 12)).csrw(0x180, T0)
            .emit(0x12000073).system_off().bytes(), {125}, message="load page fault")
    add("satp-sv57", RV().li(T0, (10 << 60) | 0x8_0000).csrw(0x180, T0).emit(0x12000073)
        .system_off().bytes())
    add("sret-to-u", RV().li(T0, 0).csrw(0x100, T0).li(T0, LOAD[arch] + 0x800).csrw(0x141, T0)
        .emit(0x10200073).bytes())  # sstatus.SPP=0, sepc, sret into zeros at U-mode
    add("misaligned-ram-load", RV().li(T0, LOAD[arch] + 0x801).load(8, T1, T0).system_off().bytes())
    add("misaligned-mmio-load", RV().li(T0, uart + 1).load(4, T1, T0).system_off().bytes())
    add("misaligned-mmio-store", RV().li(T0, test_dev + 2).store(8, T1, T0).system_off().bytes())
    add("straddle-ram-end", RV().li(T0, end - 4).load(8, T1, T0).system_off().bytes())
    add("straddle-mmio-end", RV().li(T0, uart + 0xFFC).store(8, T1, T0).system_off().bytes())
    add("straddle-below-ram", RV().li(T0, RAM_BASE[arch] - 4).store(8, T1, T0).system_off().bytes())
    for tag, base in (("uart", uart), ("test", test_dev)):
        add(f"amoadd-{tag}", RV().li(T0, base).li(T1, 0x3333).amo(0, 4, T2, T1, T0)
            .system_off().bytes())
        add(f"amoswap-d-{tag}", RV().li(T0, base).amo(1, 8, T2, T1, T0).system_off().bytes())
        add(f"lr-sc-{tag}", RV().li(T0, base).amo(2, 8, T2, 0, T0).amo(3, 8, T2, T1, T0)
            .system_off().bytes())
    # SBI with garbage arguments: every extension the VM knows and some it does not.
    r = RV()
    garbage = (0xFFFF_FFFF_FFFF_FFFF, end - 1, 0x1000_0000, 0, 0xDEAD_BEEF, 1 << 63)
    for ext, fids in ((0x10, range(0, 8)), (0x54494D45, [0, 1]), (0x48534D, [0, 2, 3, 7]),
                      (0x735049, [0, 1]), (0x52464E43, range(0, 8)), (0x504D55, range(0, 8)),
                      (0x4442434E, [0, 1, 2]), (0x535553, [0]), (0x43505043, [0, 1]),
                      (0x0, [0]), (0x1, [0]), (0x2, [0]), (0x3, [0]), (0x4, [0]), (0x5, [0]),
                      (0x6, [0]), (0x7, [0]), (0xDEADBEEF, [0, 0xFFFFFFFF])):
        for fid in fids:
            r.sbi(ext, fid, *garbage)
    add("sbi-all", r.system_off().bytes())
    add("sbi-hart-stop", RV().sbi(0x48534D, 1).spin().bytes())
    add("sbi-hart-suspend", RV().sbi(0x48534D, 3, 0, LOAD[arch], 0).spin().bytes())
    add("sbi-legacy-shutdown", RV().sbi(0x8, 0).spin().bytes(), {0})
    add("sbi-srst-garbage", RV().sbi(0x53525354, 0, 0xFFFF_FFFF, 0xFFFF_FFFF).system_off().bytes())
    add("sbi-srst-reboot", RV().sbi(0x53525354, 0, 1, 0).spin().bytes())
    r = RV().sbi(0x54494D45, 0, 0)
    top = r.pos()
    add("sbi-timer-then-wfi", r.emit(0x10500073).j(top).bytes(), {124, 125})
    # HSM hart_start of every hart with hostile entries (see the aarch64 cases), IPIs to all.
    for tag, entry in (("unmapped", 0x1000), ("mmio", uart), ("ram-end", end - 4),
                       ("own-code", LOAD[arch]), ("zeros", LOAD[arch] + 0x800),
                       ("high", 1 << 63)):
        r = RV()
        for hart in (1, 1, 0, 7, 1 << 40):
            r.sbi(0x48534D, 0, hart, entry, 0xDEAD)
        r.sbi(0x735049, 0, 0xFFFF_FFFF_FFFF_FFFF, 0)
        add(f"hart-start-{tag}", r.li(T0, 0x5000_0000).j(r.pos()).bytes(), {124, 125})
    # A timer storm into an unmapped trap vector: stvec = 0x1000, STIE + SIE, set_timer(0).
    r = (RV().li(T0, 0x1000).csrw(0x105, T0).li(T0, 1 << 5).csrw(0x104, T0)
         .li(T0, 1 << 1).csrw(0x100, T0).sbi(0x54494D45, 0, 0))
    add("timer-storm-unmapped-vector", r.j(r.pos()).bytes(), {124, 125})
    r = RV().li(T0, RAM_BASE[arch]).li(T1, end)
    top = r.pos()
    r.store(8, 0, T0).addi(T0, T0, 8).bltu(T0, T1, top)
    add("wipe-ram", r.bytes(), {125})
    return c


def nasty_x86_64():
    arch = "x86_64"
    end = ram_end(arch)
    c = []

    def add(name, code, want=None, memsz=None):
        c.append(Case(f"nasty-{arch}-{name}", arch, guest(arch, code, memsz), want=want))

    jmp_rax = bytes.fromhex("ffe0")
    for tag, addr in [("ram-end", end), ("beyond-identity-map", 0x4000_0000),
                      ("noncanonical", 0x0000_8000_0000_0000), ("high", 0xFFFF_FFFF_8000_0000),
                      ("pci-hole", 0xC000_0000), ("boot-tables", 0x10000), ("zero", 0),
                      ("last-byte", end - 1)]:
        add(f"jump-{tag}", x86_movabs(RAX, addr) + jmp_rax)
    for tag, addr in [("apic", 0xFEE0_0000), ("ioapic", 0xFEC0_0000), ("hpet", 0xFED0_0000),
                      ("ram-end", end), ("beyond-identity-map", 0x4000_0000)]:
        add(f"store-{tag}", x86_movabs(RAX, addr) + bytes.fromhex("488918") + X86_EXIT0 +
            JMP_SELF)  # mov [rax], rbx
    # 65,536 port exits: about 0.5 s on an idle machine under this host's KVM (8 us per exit),
    # past the 2 s limit when the other core is busy. A clean time-limit stop (124) is as good
    # as finishing: the point is that no port takes the host down.
    for op in ("ee", "66ef", "ef", "ec", "66ed", "ed"):
        add(f"port-sweep-{op}", x86_port_sweep(op), {0, 124})
    add("debug-exit-word", bytes.fromhex("66baf400" "66b83f00" "66ef") + X86_EXIT0, {63})
    add("debug-exit-dword", bytes.fromhex("66baf400" "b83fffff7f" "ef") + X86_EXIT0, {63})
    add("debug-exit-high-port", bytes.fromhex("66baf700" "b03f" "ee") + X86_EXIT0)
    for tag, insn, rdi in (("insb-unmapped", "f36c", end - 8), ("insd-boot-tables", "f36d", 0x10000),
                           ("insw-noncanonical", "f3666d", 0x0000_7FFF_FFFF_FFF0)):
        add(f"string-io-{tag}", x86_movabs(RDI, rdi) + x86_movabs(RCX, 0x10_0000) +
            bytes.fromhex("66baf803") + bytes.fromhex(insn) + X86_EXIT0 + JMP_SELF)
    add("string-io-outsb-unmapped", x86_movabs(RSI, end - 4) + x86_movabs(RCX, 64) +
        bytes.fromhex("66baf803" "f36e") + X86_EXIT0 + JMP_SELF)
    add("loop", JMP_SELF, {124})
    add("cli-hlt-loop", bytes.fromhex("faf4ebfd"), {124, 125})
    add("sti-hlt-loop", bytes.fromhex("fbf4ebfd"), {124, 125})
    add("pause-loop", bytes.fromhex("f390ebfc"), {124})
    add("ud2", bytes.fromhex("0f0b"), {125})
    add("int3", bytes.fromhex("cc"), {125})
    add("int80", bytes.fromhex("cd80"), {125})
    add("int1", bytes.fromhex("f1"), {125})
    # Unicorn runs SYSCALL/SYSENTER with EFER.SCE clear (to LSTAR = 0); KVM raises #UD.
    add("syscall", bytes.fromhex("0f05"), {124, 125})
    add("sysenter", bytes.fromhex("0f34"), {124, 125})
    add("iretq-garbage", x86_movabs(RSP, LOAD[arch] + 0x800) + bytes.fromhex("48cf"), {125})
    add("lidt-zero-int", x86_movabs(RAX, LOAD[arch] + 0x800) + bytes.fromhex("0f0118cd80"), {125})
    add("lgdt-garbage-reload", x86_movabs(RAX, LOAD[arch] + 0x800) +
        bytes.fromhex("0f0110" "b810000000" "8ed8") + X86_EXIT0, {125})  # lgdt; mov ds, ax
    add("far-jmp-32bit", x86_movabs(RAX, LOAD[arch] + 0x800) + bytes.fromhex("ff28"), {125})
    add("cr3-zero-ram", x86_movabs(RAX, 0x80_0000) + bytes.fromhex("0f22d8") + X86_EXIT0)
    # mov cr3, rax: all-zero tables
    add("cr3-beyond-ram", x86_movabs(RAX, 0x200_0000) + bytes.fromhex("0f22d8") + X86_EXIT0)
    add("cr0-paging-off", bytes.fromhex("0f20c0" "25ffffff7f" "0f22c0") + X86_EXIT0)
    add("cr4-garbage", x86_movabs(RAX, 0xFFFF_FFFF) + bytes.fromhex("0f22e0") + X86_EXIT0)
    add("efer-zero", bytes.fromhex("b9800000c0" "31c0" "31d2" "0f30") + X86_EXIT0)
    add("rdmsr-garbage", bytes.fromhex("b9efbeadde" "0f32") + X86_EXIT0)
    add("wrmsr-apicbase", bytes.fromhex("b91b000000" "b8000000fe" "31d2" "0f30") + X86_EXIT0)
    add("cpuid-leaves", bytes.fromhex("b800000040" "31c9" "0fa2" "b8ffffffff" "0fa2") + X86_EXIT0,
        {0})
    add("xsave-unmapped", x86_movabs(RDI, end - 16) + bytes.fromhex("b8ffffffff" "89c2"
                                                                  "0fae27") + X86_EXIT0)
    add("fxsave-unmapped", x86_movabs(RDI, end - 16) + bytes.fromhex("0fae07") + X86_EXIT0)
    add("movdqa-misaligned", x86_movabs(RAX, LOAD[arch] + 0x801) + bytes.fromhex("660f6f00") +
        X86_EXIT0)
    add("straddle-ram-end-load", x86_movabs(RAX, end - 4) + bytes.fromhex("488b18") + X86_EXIT0)
    add("straddle-ram-end-store", x86_movabs(RAX, end - 4) + bytes.fromhex("488918") + X86_EXIT0)
    add("push-no-stack", bytes.fromhex("31e450") + X86_EXIT0)  # xor esp,esp; push rax
    add("wipe-page-tables", x86_movabs(RDI, 0x10000) + x86_movabs(RCX, 0x7000) +
        bytes.fromhex("31c0f3aa") + X86_EXIT0, None)  # rep stosb over the boot tables
    add("wipe-ram", bytes.fromhex("31ff" "b900000001" "31c0" "f3aa"))  # rep stosb all RAM
    add("rep-movsb-huge", bytes.fromhex("31f6" "bf0000f000" "b900000080" "f3a4") + X86_EXIT0)
    return c


NASTY = {"aarch64": nasty_aarch64, "riscv64": nasty_riscv64, "x86_64": nasty_x86_64}


def file_cases(arch, guests_dir, rng):
    """Malformed or unloadable files (status 2 allowed) and mutations of a real guest."""
    load, end = LOAD[arch], ram_end(arch)
    code = {"aarch64": A64().system_off().bytes(), "riscv64": RV().system_off().bytes(),
            "x86_64": X86_EXIT0}[arch]
    c = []

    def add(name, data):
        c.append(Case(f"file-{arch}-{name}", arch, data, file_case=True))

    add("memsz-beyond-ram", elf64(arch, [(load, code, MEM_BYTES)], load))
    add("memsz-huge", elf64(arch, [(load, code, 1 << 62)], load))
    add("memsz-wraps", elf64(arch, [(load, code, (1 << 64) - 0x1000)], load))
    add("paddr-wraps", elf64(arch, [((1 << 64) - 0x1000, code, 0x2000)], load))
    add("paddr-mmio", elf64(arch, [(MMIO_PAGES[arch][0] if MMIO_PAGES[arch] else 0xFEE0_0000,
                                    code, 0x1000), (load, code, 0x1000)], load))
    add("paddr-below-ram", elf64(arch, [(RAM_BASE[arch] - 0x1000 if RAM_BASE[arch] else 0,
                                         code, 0x2000)], load))
    add("paddr-at-ram-end", elf64(arch, [(end - 0x800, code, 0x1000)], load))
    add("entry-outside-ram", elf64(arch, [(load, code, 0x1000)], end + 0x1000))
    add("entry-zero", elf64(arch, [(load, code, 0x1000)], 0))
    add("entry-mmio", elf64(arch, [(load, code, 0x1000)], 0x0900_0000))
    add("entry-in-bss", elf64(arch, [(load, code, 0x10000)], load + 0x8000))
    add("filesz-gt-memsz", elf64(arch, [(load, code, 0x10, 1, 7, None, None, 0x1000)], load))
    add("offset-beyond-file", elf64(arch, [(load, code, 0x1000, 1, 7, None, 1 << 40)], load))
    add("offset-wraps", elf64(arch, [(load, code, 0x1000, 1, 7, None, (1 << 64) - 8, 16)], load))
    add("no-segments", elf64(arch, [], load))
    add("phnum-ffff", elf64(arch, [(load, code, 0x1000)], load, phnum=0xFFFF))
    add("phoff-huge", elf64(arch, [(load, code, 0x1000)], load, phoff=(1 << 64) - 16))
    add("phentsize-small", elf64(arch, [(load, code, 0x1000)], load, phentsize=8))
    add("17-segments", elf64(arch, [(load + i * 0x1000, code, 0x1000) for i in range(17)], load))
    add("overlapping-segments", elf64(arch, [(load, code, 0x2000), (load + 0x800, code, 0x2000)],
                                      load))
    add("non-load-only", elf64(arch, [(load, code, 0x1000, 4)], load))  # PT_NOTE only
    add("vaddr-not-paddr", elf64(arch, [(load, code, 0x1000, 1, 7, 0xFFFF_0000_0000_0000)], load))
    add("elfclass32", elf64(arch, [(load, code, 0x1000)], load, ei_class=1))
    add("big-endian", elf64(arch, [(load, code, 0x1000)], load, ei_data=2))
    add("et-rel", elf64(arch, [(load, code, 0x1000)], load, etype=1))
    add("et-dyn", elf64(arch, [(load, code, 0x1000)], load, etype=3))
    add("other-machine", elf64(arch, [(load, code, 0x1000)], load, machine=40))  # EM_ARM
    if arch == "x86_64":
        add("over-boot-tables", elf64(arch, [(0x10000, code, 0x1000), (load, code, 0x1000)], load))
    add("empty", b"")
    add("magic-only", b"\x7fELF")
    add("header-only", elf64(arch, [(load, code, 0x1000)], load)[:64])
    good = guest(arch, code)
    for cut in (5, 63, 64, 100, 120, 0x1000, 0x1001):
        add(f"truncated-{cut}", good[:cut])
    hello_path = os.path.join(guests_dir, arch, "hello.elf")
    with open(hello_path, "rb") as f:
        hello = f.read()
    for i in range(12):
        data = bytearray(hello)
        # Header and program headers get most mutations: that is where parsers break.
        for _ in range(rng.randint(1, 8)):
            pos = rng.randrange(0, 64 + 56 * 4) if rng.random() < 0.7 else rng.randrange(len(data))
            data[pos] = rng.randrange(256)
        if i % 4 == 3:
            data = data[:rng.randrange(len(data))]
        add(f"hello-mutation-{i:02d}", bytes(data))
    return c


def input_cases(arch, guests_dir):
    """What a user can hand tandem besides a bad ELF: odd files and option values. Each must
    end with status 2 and one error line that says what is wrong, at once."""
    hello = os.path.join(guests_dir, arch, "hello.elf")
    c = []

    def fifo(workdir):
        path = os.path.join(workdir, f"fifo-{arch}")
        if not os.path.exists(path):
            os.mkfifo(path)  # no writer ever opens it: a blocking read would wait forever
        return path

    def add(name, message, path=None, argv=None):
        c.append(Case(f"input-{arch}-{name}", arch, None, file_case=True, want={2},
                      path=path, argv=argv, message=message))

    add("directory", "directory", path=lambda w: w)
    add("dev-zero", "character device", path=lambda w: "/dev/zero")
    add("dev-urandom", "character device", path=lambda w: "/dev/urandom")
    add("fifo", "FIFO", path=fifo)
    add("missing", "cannot open", path=lambda w: os.path.join(w, "no-such-guest.elf"))
    for value in ("nan", "inf", "-1", "1e10", "-inf", "1e400", "0x10", "5s"):
        add(f"timeout-{value}", "--timeout", path=lambda w: hello,
            argv=lambda t, p, w, v=value: [t, "run", "--timeout", v, p])
    if arch != "x86_64":
        def build(guest, image=None):
            def argv(t, p, w):
                cmd = [t, "build-image", "--arch", arch, "--kernel", guest or p,
                       "-o", os.path.join(w, f"image-{arch}.out")]
                return cmd + (["--image", p] if image else [])
            return argv
        add("build-image-guest-directory", "directory", path=lambda w: w, argv=build(None))
        add("build-image-guest-dev-zero", "character device", path=lambda w: "/dev/zero",
            argv=build(None))
        add("build-image-image-dev-zero", "character device", path=lambda w: "/dev/zero",
            argv=build(hello, image=True))
        add("build-image-image-fifo", "FIFO", path=fifo, argv=build(hello, image=True))
    return c


def structured_code(arch, rng, n):
    """Random loads, stores, pointer bumps and firmware calls through the pre-set registers:
    unlike random bytes, these reach the devices instead of faulting on the first word."""
    out = b""
    for _ in range(n):
        k = rng.randrange(10)
        w = rng.choice([1, 2, 4, 8])
        if arch == "aarch64":
            base, reg = rng.randrange(8), rng.randrange(8, 16)
            word = (A64().ldr(w, reg, base) if k < 4 else A64().str(w, reg, base) if k < 8 else
                    A64().add(base, base, rng.randrange(0, 0x100)) if k < 9 else
                    A64().emit(rng.choice([0xD4000002, 0xD45E0000, rng.getrandbits(32)])))
            out += word.bytes()
        elif arch == "riscv64":
            base, reg = rng.randrange(10, 18), rng.randrange(5, 8)
            off = rng.randrange(-64, 64)
            word = (RV().load(w, reg, base, off) if k < 4 else RV().store(w, reg, base, off)
                    if k < 8 else RV().addi(base, base, rng.randrange(-0x100, 0x100)) if k < 9
                    else RV().emit(rng.choice([0x00000073, rng.getrandbits(32)])))
            out += word.bytes()
        else:
            modrm = bytes([rng.choice([0, 1, 2, 3, 6, 7]) | (rng.randrange(8) << 3)])
            pre = {1: b"", 2: b"\x66", 4: b"", 8: b"\x48"}[w]
            op = (b"\x8a" if w == 1 else b"\x8b") if k < 4 else (
                b"\x88" if w == 1 else b"\x89")
            out += (pre + op + modrm if k < 8 else
                    rng.choice([b"\xee", b"\xef", b"\xec", b"\xed", b"\x48\xff\xc2"]) if k < 9
                    else rng.getrandbits(24).to_bytes(3, "little"))
    return out


def random_cases(arch, count, seed):
    """Random code; half of the guests first point every argument register at the places a
    guest should not touch, so random loads and stores reach MMIO, RAM edges and holes, and a
    quarter of those run random memory and firmware instructions instead of random bytes."""
    c = []
    end = ram_end(arch)
    mmio = MMIO_PAGES[arch] + [0xFEE0_0000]
    targets = [RAM_BASE[arch], end - 8, end, LOAD[arch], 0x10000, 0] + mmio
    for i in range(count):
        case_seed = seed * 100_000 + {"aarch64": 1, "riscv64": 2, "x86_64": 3}[arch] * 1000 + i
        rng = random.Random(case_seed)
        size = rng.choice([64, 256, 1024, 4096, 16384])
        code = rng.getrandbits(8 * size).to_bytes(size, "little")
        prefix = b""
        if i % 2:
            if arch == "aarch64":
                a = A64()
                for r in range(8):
                    a.mov(r, rng.choice(targets))
                prefix = a.bytes()
            elif arch == "riscv64":
                r = RV()
                for reg in range(10, 18):
                    r.li(reg, rng.choice(targets))
                prefix = r.bytes()
            else:
                prefix = b"".join(x86_movabs(reg, rng.choice(targets))
                                  for reg in (RAX, RCX, RDX, RBX, RSI, RDI))
        if i % 4 == 3:
            code = structured_code(arch, rng, size // 4)
        memsz = rng.choice([len(prefix) + size, 0x10000, 0x100000])
        c.append(Case(f"random-{arch}-{i:03d}", arch, guest(arch, prefix + code, memsz),
                      seed=case_seed))
    return c


# --------------------------------------------------------------------------------------------
# Running


def command(tandem, backend, path, cpus):
    return [tandem, "run", "--backend", backend, "--timeout", RUN_TIMEOUT, "--mem", RUN_MEM,
            "--cpus", str(cpus), path]


def check(case, status, err, elapsed):
    """Returns None when the run is acceptable, else what went wrong."""
    if status is None:
        return f"still running after the outer {OUTER_TIMEOUT} s limit (killed): host hang"
    if status < 0:
        return f"killed by signal {-status} after {elapsed:.1f} s: host crash"
    lines = [line for line in err.splitlines() if line.strip()]
    if len(lines) > MAX_STDERR_LINES:
        return f"status {status} with {len(lines)} lines on stderr (a guest must not flood it)"
    if case.want is not None and status not in case.want:
        return f"status {status}, want one of {sorted(case.want)}; stderr: {err.strip()[-300:]!r}"
    if status == 125:
        reports = [line for line in lines if "guest fault" in line or "backend failure" in line]
        if len(reports) != 1:
            return f"status 125 with {len(reports)} fault/failure report lines; stderr: {err!r}"
    elif status == 124:
        if not any("time limit" in line for line in lines):
            return f"status 124 without the time-limit message; stderr: {err.strip()[-300:]!r}"
    elif status == 2:
        if not case.file_case:
            return f"status 2 (bad input) for a well-formed guest; stderr: {err.strip()[-300:]!r}"
        if not any("error" in line for line in lines):
            return "status 2 without an error line on stderr"

    elif status >= 128 and any("error" in line for line in lines):
        # Signals show as negative return codes (no shell in between), so 128+ is a status
        # the guest chose (isa-debug-exit, semihosting); Tandem itself must not end that way.
        return f"status {status}: abnormal termination; stderr: {err.strip()[-300:]!r}"
    if case.message is not None and (len(lines) != 1 or case.message not in lines[0]):
        return f"want one error line naming {case.message!r}; stderr: {err.strip()[-300:]!r}"
    return None


def case_command(case, tandem, backend, path, workdir):
    if case.argv:
        return case.argv(tandem, path, workdir)
    cpus = 1 if case.arch == "x86_64" and backend == "emu" else case.cpus
    return command(tandem, backend, path, cpus)


def run_case(case, tandem, backend, workdir):
    if case.path:
        path = case.path(workdir)
    else:
        path = os.path.join(workdir, case.name + ".elf")
        with open(path, "wb") as f:
            f.write(case.data)
    cmd = case_command(case, tandem, backend, path, workdir)
    start = time.monotonic()
    try:
        proc = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, timeout=OUTER_TIMEOUT)
        status, err = proc.returncode, proc.stderr.decode(errors="replace")
    except subprocess.TimeoutExpired as e:
        status, err = None, (e.stderr or b"").decode(errors="replace")
    elapsed = time.monotonic() - start
    return case, path, status, err, elapsed, check(case, status, err, elapsed)


def kvm_unavailable(tandem, guests_dir):
    hello = os.path.join(guests_dir, "x86_64", "hello.elf")
    proc = subprocess.run([tandem, "run", "--backend", "kvm", "--timeout", "10", hello],
                          stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, timeout=60)
    err = proc.stderr.decode(errors="replace")
    for line in err.splitlines():
        if "kvm backend unavailable" in line or "without the kvm backend" in line:
            return line.strip()
    return None


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--tandem", required=True)
    p.add_argument("--guests", required=True, help="<build>/guests")
    p.add_argument("--backend", choices=["emu", "kvm"], default="emu")
    p.add_argument("--arch", action="append", help="limit to these architectures")
    p.add_argument("--seed", type=int, default=20240611)
    p.add_argument("--random", type=int, default=40, help="random guests per architecture")
    p.add_argument("--jobs", type=int, default=2)
    p.add_argument("--only", action="append", help="run only the cases with these names")
    p.add_argument("--keep", help="write the guests here and keep them")
    p.add_argument("--list", action="store_true", help="list the case names and exit")
    p.add_argument("--verbose", action="store_true", help="one line per case: status, time, stderr")
    args = p.parse_args()

    tandem = os.path.abspath(args.tandem)
    archs = args.arch or (["x86_64"] if args.backend == "kvm" else list(EM))
    if args.backend == "kvm" and not args.list:
        reason = kvm_unavailable(tandem, args.guests)
        if reason:
            print(f"SKIP: {reason}")
            return 77

    cases = []
    for arch in archs:
        cases += random_cases(arch, args.random, args.seed)
        cases += NASTY[arch]()
        cases += file_cases(arch, args.guests, random.Random(f"{args.seed}-{arch}-files"))
        cases += input_cases(arch, args.guests)
    if args.only:
        cases = [c for c in cases if c.name in args.only]
    if args.list:
        for c in cases:
            print(c.name)
        return 0
    if not cases:
        print("no cases selected", file=sys.stderr)
        return 2

    workdir = args.keep or tempfile.mkdtemp(prefix="tandem-chaos-")
    os.makedirs(workdir, exist_ok=True)
    here = os.path.abspath(__file__)
    start = time.monotonic()
    failures = []
    counts = {}
    slowest = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        futures = [pool.submit(run_case, c, tandem, args.backend, workdir) for c in cases]
        for fut in concurrent.futures.as_completed(futures):
            case, path, status, err, elapsed, problem = fut.result()
            counts[status] = counts.get(status, 0) + 1
            slowest.append((elapsed, case.name))
            if problem:
                failures.append((case, path, problem))
            if args.verbose:
                last = err.strip().splitlines()[-1:] or [""]
                print(f"{case.name}: {status} in {elapsed:.2f} s: {last[0][:160]}", flush=True)
    total = time.monotonic() - start

    for case, path, problem in sorted(failures, key=lambda f: f[0].name):
        seed = f" (seed {case.seed})" if case.seed is not None else f" (seed {args.seed})"
        regen = (f"python3 {shlex.quote(here)} --tandem {shlex.quote(tandem)} --guests "
                 f"{shlex.quote(args.guests)} --backend {args.backend} --seed {args.seed} "
                 f"--only {case.name} --keep {shlex.quote(workdir)}")
        run = " ".join(shlex.quote(a) for a in ["timeout", str(OUTER_TIMEOUT)] +
                       case_command(case, tandem, args.backend, path, workdir))
        print(f"FAIL {case.name}{seed}: {problem}; reproduce: {run} (regenerate: {regen})")
    summary = ", ".join(f"{'outer-timeout' if s is None else s}: {n}"
                        for s, n in sorted(counts.items(), key=lambda kv: (kv[0] is None,
                                                                           kv[0] or 0)))
    slow = ", ".join(f"{name} {t:.1f}s" for t, name in sorted(slowest, reverse=True)[:3])
    print(f"chaos {args.backend}: {len(cases)} cases in {total:.1f} s (seed {args.seed}); "
          f"statuses {{{summary}}}; slowest: {slow}")
    print(f"{len(cases) - len(failures)} passed, {len(failures)} failed")
    if failures:
        print(f"guests kept in {workdir}")
    elif not args.keep:
        for name in os.listdir(workdir):
            os.unlink(os.path.join(workdir, name))  # guests and the FIFOs
        os.rmdir(workdir)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

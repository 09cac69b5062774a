#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""`tandem run --trace` lines with meaning, checked against the guest's own output and binutils.

    trace_test.py <tandem> <guests dir> <arch> <objdump> <nm>

device   the mmio guest with --trace-file: the bytes written to the UART's data register (pl011
         UARTDR, ns16550 THR; a wide access gives it its low byte) are exactly what the guest
         printed; each of those lines and each UART read has the instruction at its PC
         disassembled, and its mnemonic is the one objdump shows at that address in the ELF
         (a store: str*/s[bhwd]/out; a load: ldr*/l[bhwd]*/in).
insn     the hello guest with --trace insn=<guest_main>: one line per instruction run, every PC
         an instruction of guest_main (objdump), the first its entry, each mnemonic objdump's;
         the guest still prints its line and exits 0.
errors   a --trace-file that cannot be written, a malformed range and --trace insn on kvm are
         refused with status 2 and a message.
Exit status 0 when everything passed, 1 otherwise, 77 (skip) without the guests or binutils.
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile

LINE = re.compile(r"^(exit (\S+)\s+cpu=(\d+) addr=(0x[0-9a-f]+|0) size=(\d+) value=(0x[0-9a-f]+|0) "
                  r"pc=(0x[0-9a-f]+|0)|insn cpu=(\d+) pc=(0x[0-9a-f]+|0))"
                  r"(?: dev=(\S+))?(?: reg=(\S+))?(?: insn=\"([^\"]*)\")?$")
# The UART data register, its trace kind, and the mnemonics of a store and a load there.
UART = {
    "aarch64": ("pl011", "UARTDR", "mmio", r"str[bh]?", r"ldr(s?[bhw])?"),
    "riscv64": ("ns16550", "THR", "mmio", r"(c\.)?s[bhwd]", r"(c\.)?l[bhwd]u?"),
    "x86_64": ("ns16550", "THR", "exits", r"out", r"in"),
}


class Failure(Exception):
    pass


def expect(cond, what, text=""):
    if not cond:
        raise Failure(what + ("\n--- output ---\n" + text[-4000:] if text else ""))


def parse(text):
    lines = []
    for raw in text.splitlines():
        m = LINE.match(raw)
        expect(m, f"a trace line that is not in the format: {raw!r}")
        if m.group(2):
            lines.append({"kind": m.group(2), "cpu": int(m.group(3)), "addr": int(m.group(4), 0),
                          "size": int(m.group(5)), "value": int(m.group(6), 0),
                          "pc": int(m.group(7), 0), "dev": m.group(10), "reg": m.group(11),
                          "insn": m.group(12)})
        else:
            lines.append({"kind": "insn", "cpu": int(m.group(8)), "pc": int(m.group(9), 0),
                          "insn": m.group(12)})
    return lines


def disassembly(objdump, elf, arch):
    """{address: mnemonic} of every instruction objdump decodes in the ELF."""
    # Spelled as Capstone spells them: Intel syntax, RISC-V without aliases (c.addi, not add).
    options = {"x86_64": ["-M", "intel"], "riscv64": ["-M", "no-aliases"]}.get(arch, [])
    args = [objdump, "-d", elf] + options
    out = subprocess.run(args, check=True, capture_output=True, text=True).stdout
    insns = {}
    for line in out.splitlines():
        m = re.match(r"^\s*([0-9a-f]+):\t(?:[0-9a-f]{2,8} ?)+\s*\t(\S+)", line)
        if m:
            insns[int(m.group(1), 16)] = m.group(2)
    return insns


def mnemonic(insn):
    return insn.split()[0]


def run(tandem, args, guest):
    return subprocess.run([tandem, "run", *args, guest], stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=300)


def case_device(tandem, guests, arch, objdump, _nm, tmp):
    elf = os.path.join(guests, arch, "mmio.elf")
    dev, reg, mode, store, load = UART[arch]
    trace = os.path.join(tmp, "trace.txt")
    r = run(tandem, ["--trace", mode, "--trace-file", trace], elf)
    expect(r.returncode == 0, f"tandem exited {r.returncode}", r.stderr)
    expect(not re.search(r"^exit ", r.stderr, re.M), "trace lines on stderr with --trace-file",
           r.stderr)
    lines = parse(open(trace).read())
    writes = [l for l in lines if l["dev"] == dev and l["reg"] == reg and "write" in l["kind"]]
    printed = bytes(l["value"] & 0xff for l in writes).decode("latin-1")
    expect(printed == r.stdout, f"the {dev} {reg} writes are not what the guest printed:\n"
           f"{printed!r}\n{r.stdout!r}")
    reads = [l for l in lines if l["dev"] == dev and l["reg"] and "read" in l["kind"]]
    expect(reads, f"no {dev} register read named")
    code = disassembly(objdump, elf, arch)
    for l, pattern in [(w, store) for w in writes] + [(x, load) for x in reads]:
        expect(l["insn"], f"no instruction at pc {l['pc']:#x}: {l}")
        expect(re.fullmatch(pattern, mnemonic(l["insn"])),
               f"'{l['insn']}' at {l['pc']:#x} is not a {pattern} for a {l['kind']}")
        expect(code.get(l["pc"]) == mnemonic(l["insn"]),
               f"'{l['insn']}' at {l['pc']:#x}, objdump says {code.get(l['pc'])}")
    names = {l["reg"] for l in lines if l["dev"] == dev}
    print(f"{arch} device: {len(writes)} {reg} writes = stdout, {len(reads)} reads, "
          f"registers {sorted(names)}")


def symbol(nm, elf, name):
    out = subprocess.run([nm, "-S", elf], check=True, capture_output=True, text=True).stdout
    for line in out.splitlines():
        words = line.split()
        if len(words) == 4 and words[3] == name:
            return int(words[0], 16), int(words[1], 16)
    raise Failure(f"nm found no {name} in {elf}")


def case_insn(tandem, guests, arch, objdump, nm, tmp):
    elf = os.path.join(guests, arch, "hello.elf")
    start, size = symbol(nm, elf, "guest_main")
    trace = os.path.join(tmp, "trace.txt")
    r = run(tandem, ["--trace", f"insn={start:#x}-{start + size - 1:#x}", "--trace-file", trace],
            elf)
    expect(r.returncode == 0 and f"Hello from the {arch} guest" in r.stdout,
           f"the traced guest did not finish (status {r.returncode})", r.stdout + r.stderr)
    lines = parse(open(trace).read())
    expect(lines and all(l["kind"] == "insn" for l in lines), "no instruction lines (only)")
    expect(lines[0]["pc"] == start, f"the first instruction is at {lines[0]['pc']:#x}, not "
           f"guest_main's entry {start:#x}")
    code = disassembly(objdump, elf, arch)
    for l in lines:
        expect(start <= l["pc"] < start + size, f"pc {l['pc']:#x} outside guest_main")
        expect(l["insn"] and code.get(l["pc"]) == mnemonic(l["insn"]),
               f"'{l['insn']}' at {l['pc']:#x}, objdump says {code.get(l['pc'])}")
    print(f"{arch} insn: {len(lines)} instructions of guest_main ({start:#x}, {size} bytes)")


def case_errors(tandem, guests, arch, _objdump, _nm, tmp):
    elf = os.path.join(guests, arch, "hello.elf")
    for args, message in [
            (["--trace", "exits", "--trace-file", os.path.join(tmp, "no", "such", "dir")],
             "--trace-file"),
            (["--trace", "insn=0x2000-0x1000"], "START <= END"),
            (["--trace-file", os.path.join(tmp, "t.txt")], "needs --trace"),
            (["--backend", "kvm", "--trace", "insn=0-1"], "need the emu backend")]:
        r = run(tandem, args, elf)
        expect(r.returncode == 2 and message in r.stderr,
               f"{args}: status {r.returncode}, no '{message}'", r.stderr)
    print(f"{arch} errors: refused with status 2")


def main():
    if len(sys.argv) != 6:
        print(__doc__, file=sys.stderr)
        return 2
    tandem, guests, arch, objdump, nm = sys.argv[1:]
    if not os.path.exists(os.path.join(guests, arch, "mmio.elf")):
        print("SKIP: no guests for " + arch)
        return 77
    for tool in (objdump, nm):
        if shutil.which(tool) is None:
            print(f"SKIP: {tool} is not installed")
            return 77
    with tempfile.TemporaryDirectory(prefix="tandem-trace-") as tmp:
        try:
            for case in (case_device, case_insn, case_errors):
                case(tandem, guests, arch, objdump, nm, tmp)
        except (Failure, subprocess.TimeoutExpired, subprocess.CalledProcessError) as e:
            print(f"FAIL: {arch}: {e}")
            return 1
    print(f"PASS: {arch} trace")
    return 0


if __name__ == "__main__":
    sys.exit(main())

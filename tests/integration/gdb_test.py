#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""The GDB stub end to end: gdb-multiarch in batch mode against `tandem run --gdb ... --wait-gdb`.

    gdb_test.py <tandem> <guests dir> <arch> <case> [kvm GDB GDB_DATA_DIR]

With `kvm GDB GDB_DATA_DIR` the guest runs on the kvm backend (x86_64, KVM_SET_GUEST_DEBUG) and
GDB is that gdb program with that data directory (the nested-KVM VM holds both at the paths the
host gives: tests/kvm/nested_vm.py copies what a test names); TANDEM_EXPECTED_DIR, when set,
is where the expected outputs are (the nested VM holds that folder, not this one's).

hello     break at guest_main (the PC read back is the breakpoint's address), read system
          registers Tandem set, read the global g_greetings (0), step one instruction (the PC
          is the next instruction or the branch target gdb disassembled), watch g_greetings
          (fires with Old 0 / New 1), read it back by physical address (`monitor phys`),
          continue to the guest's exit: "exited normally", tandem's status 0.
exitcode  continue to the exit status: gdb reports 052 (42), tandem exits 42.
smp       4 vCPUs as 4 threads; a watchpoint on the turn counter fires on vCPU 0 (0 -> 1),
          then on vCPU 1 (1 -> 2); the guest still completes its 4000 atomic adds (x86_64:
          guests/x86_64/smp.cpp, whose turn counter is `turn`).
interrupt a raw client attaches to the running compute guest (no --wait-gdb): the guest stops
          (T02 for `?`), continues, stops again on Ctrl-C (0x03, T02), continues after a
          detach and still prints its checksum (stopping never replays guest work).
entry     the stop before the first instruction: the PC is the ELF's entry, CR0 is the long
          mode Tandem starts an x86_64 ELF in (PG, PE), g_greetings reads 0, two stepi (the
          first to the next instruction or the branch target gdb disassembled), continue to the
          guest's exit.
threads   4 vCPUs are gdb's threads 1..4 ("vCPU N"); continue to the guest's normal end.
hostile   raw clients that no GDB is: a bad checksum, an overlong packet, a disconnect in the
          middle of a packet, huge lengths and unknown packets. Each session ends (or the
          replies are errors) and the guest runs to its normal end.
Exit status 0 when everything passed, 1 otherwise, 77 (skip) without gdb-multiarch or guest.
"""

import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time

TIMEOUT = 120
BACKEND = []  # extra `tandem run` options: ["--backend", "kvm"]
GDB_OPTIONS = []  # extra gdb options: ["-data-directory", DIR]
STARTED = []  # every tandem started: one still running when a case fails is killed and shown


class Failure(Exception):
    pass


def text_of(data):
    """What a process printed (bytes in a TimeoutExpired, str otherwise; None: nothing)."""
    if data is None:
        return ""
    return data.decode(errors="replace") if isinstance(data, bytes) else data


def expect(cond, what, text=""):
    if not cond:
        raise Failure(what + ("\n--- output ---\n" + text if text else ""))


def number(label, text):
    """The number gdb printed as `<label>=<value>` (printf "%#lx" prints 0 without 0x)."""
    m = re.search(label + r"=(0x[0-9a-f]+|0)\b", text)
    expect(m, f"gdb printed no {label}", text)
    return int(m.group(1), 0)


def start_tandem(tandem, guest, sock, extra=(), wait=True):
    # The socket of an earlier case would pass the wait below before this tandem listens.
    if os.path.exists(sock):
        os.unlink(sock)
    proc = subprocess.Popen([tandem, "run", *BACKEND, "--gdb", "unix:" + sock] +
                            (["--wait-gdb"] if wait else []) + [*extra, guest],
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    STARTED.append(proc)
    deadline = time.time() + 30
    while not os.path.exists(sock):
        if proc.poll() is not None or time.time() > deadline:
            raise Failure("tandem did not open " + sock + ": " + proc.stderr.read())
        time.sleep(0.02)
    return proc


def run_gdb(gdb, guest, sock, commands, timeout=TIMEOUT):
    """gdb's output for `commands` on `guest`'s symbols (None: none, only the stub's registers)."""
    script = "set pagination off\nset confirm off\ntarget remote " + sock + "\n" + commands
    with tempfile.NamedTemporaryFile("w", suffix=".gdb", delete=False) as f:
        f.write(script)
    try:
        r = subprocess.run([gdb, "-nx", "-batch", *GDB_OPTIONS, "-x", f.name] +
                           ([guest] if guest else []),
                           capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired as e:
        raise Failure(f"gdb did not finish within {timeout} s\n--- gdb's output ---\n" +
                      text_of(e.stdout) + text_of(e.stderr)) from None
    finally:
        os.unlink(f.name)
    return r.stdout + r.stderr


def finish(proc, gdb_output=""):
    """tandem's status and output once it exited (a Failure, with gdb's output, if it does not)."""
    try:
        proc.seen = proc.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        raise Failure(f"tandem did not exit within {TIMEOUT} s after the session\n"
                      "--- gdb's output ---\n" + gdb_output) from None
    return proc.returncode, *proc.seen


def show_started():
    """Each tandem of the failed case: killed if still running, then its status and output."""
    for proc in STARTED:
        if not hasattr(proc, "seen"):  # not yet read by finish()
            if proc.poll() is None:
                proc.kill()
            proc.seen = proc.communicate()
        out, err = proc.seen
        print(f"--- tandem {' '.join(proc.args[1:])}: status {proc.returncode} ---\n"
              f"--- stdout ---\n{out}--- stderr ---\n{err}", end="")


def case_hello(tandem, gdb, guests, arch, sock):
    guest = os.path.join(guests, arch, "hello.elf")
    proc = start_tandem(tandem, guest, sock)
    sysreg = {"aarch64": "hcr_el2", "riscv64": "satp", "x86_64": "cr0"}[arch]
    out = run_gdb(gdb, guest, sock, f"""break guest_main
continue
printf "PC=%#lx\\n", $pc
info symbol $pc
printf "SYSREG=%#lx\\n", ${sysreg}
printf "GREETINGS=%u\\n", *(unsigned*)&g_greetings
x/2i $pc
stepi
printf "PC2=%#lx\\n", $pc
watch *(unsigned*)&g_greetings
continue
printf "GREETINGS=%u\\n", *(unsigned*)&g_greetings
eval "monitor v2p %#lx", &g_greetings
delete
continue
""")
    status, stdout, stderr = finish(proc, out)
    bp = re.search(r"Breakpoint 1 at (0x[0-9a-f]+)", out)
    expect(bp, "no breakpoint set at guest_main", out)
    hit = re.search(r"Breakpoint 1, (0x[0-9a-f]+) in guest_main", out)
    expect(hit and int(hit.group(1), 16) == int(bp.group(1), 16),
           "the guest did not stop at guest_main's breakpoint", out)
    pc = number("PC", out)
    expect(pc == int(bp.group(1), 16), "the PC read back is not the breakpoint's address", out)
    expect(re.search(r"guest_main( \+ \d+)? in section \.text", out), "PC not in guest_main", out)
    value = number("SYSREG", out)
    if arch == "aarch64":
        # HCR_EL2 as Tandem sets it: RW (31), IMO (4), FMO (3) (emu_aarch64.cpp).
        expect(value & 0x80000018 == 0x80000018, f"hcr_el2 {value:#x} lacks RW|IMO|FMO", out)
    elif arch == "riscv64":
        expect(value == 0, f"satp {value:#x}: the hello guest runs without translation", out)
    else:
        # Long mode: CR0.PG (31) and PE (0).
        expect(value & 0x80000001 == 0x80000001, f"cr0 {value:#x} lacks PG|PE", out)
    expect("GREETINGS=0" in out, "g_greetings did not read 0 at guest_main", out)
    # stepi: the next instruction, or the target of a branch/call gdb disassembled at the PC.
    pc2 = number("PC2", out)
    expect(pc2 != pc and pc2 in steps_allowed(out), f"stepi went from {pc:#x} to {pc2:#x}", out)
    expect(re.search(r"Hardware watchpoint 2: .*\n\nOld value = 0\nNew value = 1", out),
           "the watchpoint on g_greetings did not fire with 0 -> 1", out)
    expect("GREETINGS=1" in out, "g_greetings did not read 1 after the watchpoint", out)
    expect(re.search(r"vCPU 0: 0x[0-9a-f]+ -> physical 0x[0-9a-f]+", out),
           "monitor v2p did not translate", out)
    expect("exited normally" in out, "gdb did not see the guest exit normally", out)
    expect(status == 0, f"tandem exited {status}", stderr)
    expect(f"Hello from the {arch} guest" in stdout, "the guest's line is missing", stdout)


def case_exitcode(tandem, gdb, guests, arch, sock):
    guest = os.path.join(guests, arch, "exitcode.elf")
    proc = start_tandem(tandem, guest, sock)
    out = run_gdb(gdb, guest, sock, "break guest_main\ncontinue\ncontinue\n")
    status, _, stderr = finish(proc, out)
    expect("Breakpoint 1, " in out, "no stop at guest_main", out)
    expect("exited with code 052" in out, "gdb did not see exit status 42", out)
    expect(status == 42, f"tandem exited {status}, not 42", stderr)


def case_smp(tandem, gdb, guests, arch, sock):
    guest = os.path.join(guests, arch, "smp.elf")
    proc = start_tandem(tandem, guest, sock, ["--cpus", "4"])
    turn = "turn" if arch == "x86_64" else "g_turn"
    out = run_gdb(gdb, guest, sock, f"""watch *(unsigned*)&'(anonymous namespace)::{turn}'
continue
continue
info threads
delete
continue
""")
    status, stdout, stderr = finish(proc, out)
    expect(re.search(r"Thread 1 hit Hardware watchpoint 1: .*\n\nOld value = 0\nNew value = 1", out),
           "vCPU 0 did not trigger the watchpoint first (0 -> 1)", out)
    expect(re.search(r"Thread 2 hit Hardware watchpoint 1: .*\n\nOld value = 1\nNew value = 2", out),
           "vCPU 1 did not trigger the watchpoint next (1 -> 2)", out)
    for n in range(4):
        expect(re.search(rf"Thread {n + 1} \(vCPU {n}\)", out), f"no thread for vCPU {n}", out)
    expect("exited normally" in out, "gdb did not see the guest exit", out)
    expect(status == 0 and "smp: 4 cpus, counter = 4000" in stdout,
           f"the guest did not complete (status {status})", stdout + stderr)


def steps_allowed(out):
    """After a stepi at the first instruction `x/2i $pc` printed: the next instruction's address
    and any address in the first one's operand (a branch target)."""
    insns = re.findall(r"^(?:=> )?\s*(0x[0-9a-f]+) <[^>]*>:\s*(.*)$", out, re.M)
    expect(len(insns) >= 2, "x/2i printed no instructions", out)
    return {int(insns[1][0], 16)} | {int(x, 16) for x in re.findall(r"0x[0-9a-f]+", insns[0][1])}


def elf_entry(path):
    with open(path, "rb") as f:
        head = f.read(32)
    return int.from_bytes(head[24:32], "little")


def case_entry(tandem, gdb, guests, arch, sock):
    guest = os.path.join(guests, arch, "hello.elf")
    proc = start_tandem(tandem, guest, sock)
    out = run_gdb(gdb, guest, sock, """printf "PC=%#lx\\n", $pc
printf "CR0=%#lx\\n", $cr0
printf "GREETINGS=%u\\n", *(unsigned*)&g_greetings
x/2i $pc
stepi
printf "PC2=%#lx\\n", $pc
stepi
printf "PC3=%#lx\\n", $pc
continue
""")
    status, stdout, stderr = finish(proc, out)
    pc = number("PC", out)
    expect(pc == elf_entry(guest), f"the first stop is at {pc:#x}, not the ELF's entry", out)
    # An x86_64 ELF starts in long mode (core/arch/x86_64/long_mode.cpp): CR0.PG (31), PE (0).
    cr0 = number("CR0", out)
    expect(cr0 & 0x80000001 == 0x80000001, f"cr0 {cr0:#x} lacks PG|PE at the entry", out)
    expect("GREETINGS=0" in out, "g_greetings did not read 0 before the guest ran", out)
    pc2 = number("PC2", out)
    expect(pc2 in steps_allowed(out), f"stepi went from {pc:#x} to {pc2:#x}", out)
    expect(number("PC3", out) != pc2, "the second stepi did not move", out)
    expect("exited normally" in out, "gdb did not see the guest exit normally", out)
    expect(status == 0 and f"Hello from the {arch} guest" in stdout,
           f"the guest did not run to its end (status {status})", stdout + stderr)


def case_threads(tandem, gdb, guests, arch, sock):
    guest = os.path.join(guests, arch, "smp.elf")
    proc = start_tandem(tandem, guest, sock, ["--cpus", "4"])
    out = run_gdb(gdb, guest, sock, "info threads\ncontinue\n")
    status, stdout, stderr = finish(proc, out)
    for n in range(4):
        expect(re.search(rf"Thread {n + 1} \(vCPU {n}\)", out), f"no thread for vCPU {n}", out)
    expect("exited normally" in out, "gdb did not see the guest exit", out)
    expect(status == 0 and "smp: 4 cpus, counter = 4000" in stdout,
           f"the guest did not complete (status {status})", stdout + stderr)


def packet(payload):
    return b"$" + payload + b"#" + b"%02x" % (sum(payload) % 256)


def connect(sock):
    """A connection to the stub's socket, which exists from bind() on: its listen() follows."""
    deadline = time.time() + 30
    while True:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            s.connect(sock)
            s.settimeout(TIMEOUT)
            return s
        except ConnectionRefusedError:
            s.close()
            if time.time() > deadline:
                raise
            time.sleep(0.02)


def raw_session(tandem, guest, sock, send, expect_log):
    proc = start_tandem(tandem, guest, sock)
    s = connect(sock)
    replies = send(s)
    s.close()
    status, stdout, stderr = finish(proc)
    expect(status == 0 and "Hello from the" in stdout,
           f"the guest did not run on to its end (status {status})", stdout + stderr)
    expect(expect_log is None or expect_log in stderr, f"tandem did not say '{expect_log}'",
           stderr)
    return replies


def recv_reply(s):
    data = b""
    while not re.search(rb"\$[^#]*#[0-9a-f]{2}", data):
        chunk = s.recv(65536)
        if not chunk:
            break
        data += chunk
    m = re.search(rb"\$([^#]*)#[0-9a-f]{2}", data)
    return m.group(1) if m else None


def send_until_closed(data):
    """Sends `data`, then reads until Tandem ends the session (closes the socket)."""
    def send(s):
        s.sendall(data)
        try:
            while s.recv(65536):
                pass
        except ConnectionResetError:
            pass
    return send


def case_hostile(tandem, _gdb, guests, arch, sock):
    guest = os.path.join(guests, arch, "hello.elf")
    raw_session(tandem, guest, sock, send_until_closed(b"$g#00"), "bad checksum")
    raw_session(tandem, guest, sock, send_until_closed(b"$" + b"m" * 20000),
                "longer than the advertised PacketSize")
    raw_session(tandem, guest, sock, lambda s: s.sendall(b"$m40000000,10#"),
                "the client disconnected")
    raw_session(tandem, guest, sock, send_until_closed(b"$qSupported#37$qSup$"),
                "a '$' inside a packet")

    def hostile_but_valid(s):
        replies = []
        for p in [b"m0,ffffffffffffffff", b"mffffffffffffffff,ffffffffffffffff",
                  b"m1,1ffffffffffffffff", b"Z9,0,0", b"G" + b"zz" * 4000, b"p99999",
                  b"qXfer:features:read:target.xml:ffffffffffffffff,ffff", b"Hgfff",
                  b"vCont;s:99", b"qFoo", b"D"]:
            s.sendall(packet(p))
            replies.append(recv_reply(s))
        return replies

    replies = raw_session(tandem, guest, sock, hostile_but_valid, None)
    # A read of 2^64-1 bytes at 0: RAM there (x86_64) gives at most one packet of it.
    expect(re.fullmatch(rb"E0e|(?:[0-9a-f]{2})+", replies[0]) and len(replies[0]) <= 0x4000,
           f"a huge read at 0: {replies[0][:64]!r}... ({len(replies[0])} bytes)")
    expect(replies[1] == b"E0e", f"a read at the top of the address space: {replies[1]!r}")
    expect(replies[2:4] == [b"E01", b"E01"], f"malformed m / Z: {replies[2:4]!r}")
    expect(replies[5:9] == [b"E01", b"l", b"E01", b"E01"], f"{replies[5:9]!r}")
    expect(replies[9] == b"" and replies[10] == b"OK", f"unknown / detach: {replies[9:]!r}")


def case_interrupt(tandem, _gdb, guests, arch, sock):
    guest = os.path.join(guests, arch, "compute.elf")
    proc = start_tandem(tandem, guest, sock, wait=False)
    s = connect(sock)
    s.sendall(packet(b"QStartNoAckMode"))
    expect(recv_reply(s) == b"OK", "no-ack mode refused")
    s.sendall(packet(b"?"))
    first = recv_reply(s)
    s.sendall(packet(b"c") + b"\x03")
    second = recv_reply(s)
    s.sendall(packet(b"D"))
    detach = recv_reply(s)
    s.close()
    status, stdout, stderr = finish(proc)
    expect(first == b"T02thread:1;", f"attaching did not stop the guest: {first!r}")
    expect(second == b"T02thread:1;", f"Ctrl-C did not stop the guest: {second!r}")
    expect(detach == b"OK", f"detach: {detach!r}")
    expected_dir = os.environ.get("TANDEM_EXPECTED_DIR",
                                  os.path.join(os.path.dirname(__file__), "expected"))
    with open(os.path.join(expected_dir, arch, "compute.out")) as f:
        expected = f.read()
    expect(status == 0 and stdout == expected, f"compute's output changed (status {status})",
           stdout + stderr)


def main():
    if len(sys.argv) not in (5, 8) or (len(sys.argv) == 8 and sys.argv[5] != "kvm"):
        print(__doc__, file=sys.stderr)
        return 2
    tandem, guests, arch, case = sys.argv[1:5]
    gdb = shutil.which("gdb-multiarch")
    if len(sys.argv) == 8:
        BACKEND.extend(["--backend", "kvm"])
        gdb = sys.argv[6] if os.access(sys.argv[6], os.X_OK) else None
        GDB_OPTIONS.extend(["-data-directory", sys.argv[7]])
        # As guest_test.sh: without /dev/kvm (and outside the nested VM, which has one) the kvm
        # cases are skipped, as tandem itself would refuse the backend.
        try:
            os.close(os.open("/dev/kvm", os.O_RDWR))
        except OSError as e:
            print(f"SKIP: kvm backend unavailable: cannot open /dev/kvm: {e.strerror}")
            return 77
    if gdb is None and case != "hostile":
        print("SKIP: gdb-multiarch is not installed (scripts/setup installs it)")
        return 77
    if not os.path.exists(os.path.join(guests, arch, "hello.elf")):
        print("SKIP: no guests for " + arch)
        return 77
    with tempfile.TemporaryDirectory(prefix="tandem-gdb-") as tmp:
        sock = os.path.join(tmp, "gdb.sock")
        try:
            if globals()["case_" + case](tandem, gdb, guests, arch, sock) == 77:
                return 77
        except (Failure, subprocess.TimeoutExpired, OSError) as e:
            print(f"FAIL: {arch} {case}: {e}")
            show_started()
            return 1
    print(f"PASS: {arch} {case}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# Several VMs in one `tandem run a.toml b.toml ...`:
#   multi_vm_test.py <tandem> <guests-dir>
# - VMs of different architectures run at once, each console line prefixed "[name] ", each
#   VM's own status reported on stderr, and the process status is the first non-zero one;
# - isolation: two aarch64 VMs (the same guest-physical RAM range) each write a marker and
#   scan all of their RAM for the other's; both must keep finding their own and never the
#   other's, in scans made after both markers were written;
# - a VM that faults stops alone: the other runs on to its own end;
# - console = "file:PATH" sends a VM's console to a file;
# - Ctrl-A n sends the keyboard to the next VM;
# - an unfinished console line (a prompt) is shown after a quiet moment, and continued.
import os
import re
import subprocess
import sys
import tempfile
import time

tandem, guests = sys.argv[1:3]
failures = []
tmp = tempfile.mkdtemp()


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


def config(name, guest, **keys):
    body = '[tandem]\nname = "%s"\nguest = "%s"\n' % (name, os.path.join(guests, guest))
    for k, v in keys.items():
        body += "%s = %s\n" % (k, '"%s"' % v if isinstance(v, str) else v)
    path = os.path.join(tmp, name + ".toml")
    with open(path, "w") as f:
        f.write(body)
    return path


def run(configs, stdin=subprocess.DEVNULL, timeout=180):
    p = subprocess.run([tandem, "run", *configs], stdin=stdin, capture_output=True,
                       timeout=timeout, text=True)
    return p.returncode, p.stdout, p.stderr


need = ["aarch64/hello.elf", "riscv64/exitcode.elf", "aarch64/isolation.elf",
        "x86_64/fault.elf", "aarch64/echo.elf", "riscv64/echo.elf"]
missing = [g for g in need if not os.path.exists(os.path.join(guests, g))]
if missing:
    print("SKIP: no %s" % missing)
    sys.exit(77)

# Different architectures at once, separate consoles and statuses.
status, out, err = run([config("arm", "aarch64/hello.elf"),
                        config("rv", "riscv64/exitcode.elf")])
lines = out.splitlines()
check("[arm] Hello from the aarch64 guest" in lines, "aarch64 VM's console, prefixed")
check("[rv] exitcode: exiting with status 42" in lines, "riscv64 VM's console, prefixed")
check(len(lines) == 2, "nothing else on stdout (%d lines)" % len(lines))
check("tandem: [arm] stopped: powered off, status 0 (status 0)" in err, "[arm] status 0")
check("tandem: [rv] stopped: powered off, status 42 (status 42)" in err, "[rv] status 42")
check(status == 42, "process status 42, the first non-zero (got %d)" % status)

# Isolation: two VMs with the same guest-physical RAM range scan for each other's marker.
status, out, err = run([config("A", "aarch64/isolation.elf", append="A", mem="16M", timeout=6),
                        config("B", "aarch64/isolation.elf", append="B", mem="16M", timeout=6)])
lines = out.splitlines()
written = [i for i, l in enumerate(lines) if "wrote its marker" in l]
check(len(written) == 2, "both VMs wrote their marker")
after = [l for l in lines[max(written, default=len(lines)):]]
for vm in "AB":
    clean = [l for l in after if re.match(r"\[%s\] isolation: scan \d+: own marker found, "
                                          r"other VM's marker absent$" % vm, l)]
    check(len(clean) >= 1, "[%s] scanned all its RAM after both markers were written: "
                           "own marker found, other's absent (%d scans)" % (vm, len(clean)))
check(not any("FOUND" in l or "MISSING" in l for l in lines), "no scan found the other's marker")
check("[A] stopped: stopped by the host (time limit) (status 124)" in err and
      "[B] stopped: stopped by the host (time limit) (status 124)" in err,
      "both ran until their time limit")

# A VM that faults stops alone.
status, out, err = run([config("bad", "x86_64/fault.elf"),
                        config("good", "aarch64/isolation.elf", append="A", mem="16M",
                               timeout=4)])
check("[bad] stopped: guest fault:" in err and "(status 125)" in err, "[bad] faulted: 125")
scans = [l for l in out.splitlines() if l.startswith("[good] isolation: scan")]
check("[good] stopped: stopped by the host (time limit) (status 124)" in err and len(scans) >= 2,
      "[good] ran on to its time limit after [bad]'s fault (%d scans)" % len(scans))
check(status == 125, "process status 125, the first non-zero in order (got %d)" % status)

# A console in a file.
log = os.path.join(tmp, "console.log")
status, out, err = run([config("tofile", "aarch64/hello.elf", console="file:" + log),
                        config("rv2", "riscv64/exitcode.elf")])
with open(log) as f:
    check(f.read() == "Hello from the aarch64 guest\n", "console = file: the file has the output")
check("Hello" not in out, "and stdout does not")

# The keyboard: the first VM gets it, Ctrl-A n switches to the next.
keys = os.path.join(tmp, "keys")
with open(keys, "wb") as f:
    f.write(b"one\nq\x01ntwo\nq")
with open(keys, "rb") as f:
    status, out, err = run([config("e1", "aarch64/echo.elf"), config("e2", "riscv64/echo.elf")],
                           stdin=f)
lines = out.splitlines()
check("[e1] one" in lines and "[e2] two" in lines, "typed text reached e1, then e2 after C-a n")
check("[e1] two" not in lines and "[e2] one" not in lines, "and only the VM that had the keyboard")
check(status == 0, "both echo VMs ended with status 0 (got %d)" % status)

# An unfinished line (a prompt) shows once the VM has been quiet a moment, and the VM's next
# bytes go on in the same line.
p = subprocess.Popen([tandem, "run", config("p1", "aarch64/echo.elf"),
                      config("p2", "aarch64/hello.elf")], stdin=subprocess.PIPE,
                     stdout=subprocess.PIPE, stderr=subprocess.PIPE)
os.set_blocking(p.stdout.fileno(), False)
shown = b""


def wait_for(text, seconds=60):
    global shown
    end = time.monotonic() + seconds
    while text not in shown and time.monotonic() < end and p.poll() is None:
        time.sleep(0.05)
        shown += p.stdout.read() or b""
    return text in shown


check(wait_for(b"[p1] echo: ready\n"), "the echo VM is up")
p.stdin.write(b"abc")
p.stdin.flush()
check(wait_for(b"[p1] abc"), "the unfinished line 'abc' shows before its newline")
os.set_blocking(p.stdout.fileno(), True)
rest, _ = p.communicate(b"de\nq", timeout=120)
lines = (shown + rest).decode().splitlines()
check("[p1] abcde" in lines, "and goes on in the same line, one prefix (%s)" % lines)
check(p.returncode == 0, "both VMs ended with status 0 (got %d)" % p.returncode)

print("%d failure(s)" % len(failures))
sys.exit(1 if failures else 0)

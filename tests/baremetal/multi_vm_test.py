#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# Several VMs in one aarch64 bare-metal image (`tandem build-image a.toml b.toml`), each on
# physical CPUs of its own, under QEMU:
#   multi_vm_test.py <tandem> <image.elf> <guests-dir>
# - a timer guest and a faulting guest: both consoles' lines, prefixed "[name] ", on the one
#   UART; each VM's end reported ("[timer] guest powered off", "[fault] guest fault"); the
#   machine's status is the first non-zero VM status (125);
# - isolation: two isolation guests (the same guest-physical RAM range, different host frames,
#   different VMIDs) scan all of their RAM for the other's marker, beside a VM that faults:
#   after the fault and after both markers were written, each keeps finding its own marker
#   and never the other's (the faulting VM stopped alone);
# - a machine with fewer CPUs than the VMs need stops with one panic line naming the shortage,
#   and build-image says how many the image needs.
# Exit 77 (ctest: skipped) when QEMU, the image or a guest is missing.
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading

tandem, image, guests = sys.argv[1:4]
guests = os.path.abspath(guests)
QEMU = ["qemu-system-aarch64", "-M", "virt,virtualization=on,gic-version=3", "-cpu",
        "cortex-a72", "-nographic", "-semihosting", "-m", "256M"]
failures = []
tmp = tempfile.mkdtemp()


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


def config(name, guest, **keys):
    body = '[tandem]\nname = "%s"\nguest = "%s"\nmem = "16M"\n' % (name, os.path.join(guests, guest))
    for k, v in keys.items():
        body += '%s = "%s"\n' % (k, v)
    path = os.path.join(tmp, name + ".toml")
    with open(path, "w") as f:
        f.write(body)
    return path


def pack(configs, out):
    p = subprocess.run([tandem, "build-image", "--arch", "aarch64", "--image", image, *configs,
                        "-o", out], capture_output=True, text=True)
    if p.returncode != 0:
        print(p.stderr)
        sys.exit("FAIL: build-image: status %d" % p.returncode)
    return p.stderr


if shutil.which(QEMU[0]) is None:
    print("SKIP: %s is not installed" % QEMU[0])
    sys.exit(77)
for path in [image] + [os.path.join(guests, "aarch64", g) for g in
                       ("timer.elf", "fault.elf", "isolation.elf")]:
    if not os.access(path, os.R_OK):
        print("SKIP: no %s (the aarch64 cross compiler builds it)" % path)
        sys.exit(77)

# A timer guest beside a faulting one, on two physical CPUs.
two = os.path.join(tmp, "two.elf")
said = pack([config("timer", "aarch64/timer.elf"), config("fault", "aarch64/fault.elf")], two)
check("needs 2 physical CPUs, one per vCPU (QEMU: -smp 2)" in said,
      "build-image names the CPUs the image needs")
run = subprocess.run(QEMU + ["-smp", "2", "-kernel", two], stdin=subprocess.DEVNULL,
                     capture_output=True, timeout=150, text=True, errors="replace")
lines = run.stdout.splitlines()
guest_lines = [l for l in lines if not l.startswith("tandem: ")]
want = ["[timer] timer: frequency 62500000 Hz", "[timer] timer: 10 interrupts",
        "[timer] timer: elapsed >= 10 periods: yes", "[timer] timer: elapsed < 1000 periods: yes"]
check([l for l in guest_lines if l.startswith("[timer] ")] == want, "the timer VM's console")
check([l for l in guest_lines if l.startswith("[fault] ")] ==
      ["[fault] fault: loading from unmapped address 0xb000000"], "the fault VM's console")
check(len(guest_lines) == 5, "no other guest output (%d lines)" % len(guest_lines))
check("tandem: [timer] guest powered off with status 0" in lines, "[timer] status reported")
check(any(l.startswith("tandem: error: [fault] guest fault: ") for l in lines),
      "[fault] fault reported")
check(run.returncode == 125, "machine status 125, the fault VM's (got %d)" % run.returncode)
if failures:
    print(run.stdout[-4000:])

# Isolation, beside a VM that faults: three physical CPUs.
three = os.path.join(tmp, "three.elf")
pack([config("A", "aarch64/isolation.elf", append="A"),
      config("B", "aarch64/isolation.elf", append="B"),
      config("F", "aarch64/fault.elf")], three)
qemu = subprocess.Popen(QEMU + ["-smp", "3", "-kernel", three], stdin=subprocess.DEVNULL,
                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                        errors="replace")
seen = []
marked = set()
fault_at = None
after = {"A": 0, "B": 0}
# A hang ends the read: the scans never stop on their own.
watchdog = threading.Timer(240, qemu.kill)
watchdog.start()
while True:
    line = qemu.stdout.readline()
    if not line:
        break
    line = line.rstrip("\n")
    seen.append(line)
    m = re.match(r"\[([AB])\] isolation: (scan \d+|\w wrote its marker)", line)
    if line.startswith("tandem: error: [F] guest fault: "):
        fault_at = len(seen)
    if m and "wrote" in m.group(2):
        marked.add(m.group(1))
    elif m and fault_at is not None and marked == {"A", "B"}:
        after[m.group(1)] += 1
    if min(after.values()) >= 3:
        break
watchdog.cancel()
qemu.kill()
qemu.wait()
scans = [l for l in seen if re.match(r"\[[AB]\] isolation: scan", l)]
check(fault_at is not None, "the F VM's fault reported")
check(min(after.values()) >= 3,
      "both isolation VMs scan on after the fault and both markers (%s)" % after)
check(all(re.match(r"\[([AB])\] isolation: scan \d+: own marker found, other VM's marker absent$",
                   l) for l in scans),
      "every scan (%d) finds its own marker and not the other's" % len(scans))
if failures:
    print("\n".join(seen[-40:]))

# Too few CPUs: the image names the shortage before any guest runs.
run = subprocess.run(QEMU + ["-smp", "1", "-kernel", two], stdin=subprocess.DEVNULL,
                     capture_output=True, timeout=150, text=True, errors="replace")
panics = [l for l in run.stdout.splitlines() if l.startswith("tandem: panic: ")]
check(run.returncode == 125 and panics ==
      ["tandem: panic: this image's 2 VMs need 2 physical CPUs (one per vCPU) but the machine "
       "has 1 (QEMU: -smp 2)"], "-smp 1: one panic line naming the shortage (%s)" % panics)
check(not any(l.startswith("[") for l in run.stdout.splitlines()), "-smp 1: no guest ran")

shutil.rmtree(tmp)
sys.exit(1 if failures else 0)

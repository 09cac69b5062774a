#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Debian's arm64 Linux on emu under gdb-multiarch (`tandem run --gdb ... --wait-gdb`):

  gdb_linux_test.py <tandem>

Debian's kernel package carries no System.map (a placeholder: the real one is in the -dbg
package), so the addresses come from the kernel itself: a first boot, with an initramfs whose
rc.local prints the lines of /proc/kallsyms for the two functions (kptr_restrict 0 first), and
`nokaslr` on both boots so the second one runs at the same addresses. The second boot, under
gdb, with no symbol file:
  - break on kernel_execve(filename, argv, envp) when x0 is "/init" (gdb evaluates the
    condition at each hit: usermode helpers such as /sbin/modprobe come first): the PC is the
    address, x0 points to "/init" (the string read through the kernel's own page tables) and
    x1, the argv array, holds the same pointer first;
  - break on __arm64_sys_reboot(regs), busybox's `poweroff -f`: regs->regs[0..2] are the
    reboot(2) magic numbers 0xfee1dead, 0x28121969 and LINUX_REBOOT_CMD_POWER_OFF 0x4321fedc;
  - continue: gdb sees the run end normally and tandem exits 0 with /init's lines printed.
Exit status 0 on success, 1 on a failure, 77 (skip) without gdb-multiarch.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "integration"))
from gdb_test import Failure, expect, number, run_gdb  # noqa: E402
from real_guest_test import fetch  # noqa: E402

LIMIT = 300
FUNCTIONS = ("kernel_execve", "__arm64_sys_reboot")


def tandem_linux(tandem, paths, initrd, extra, out):
    """`tandem run` on the kernel with `initrd`, its console into the file `out`."""
    return subprocess.Popen(
        [tandem, "run", "--arch", "aarch64", "--mem", "512M", "--kernel", paths["Image"],
         "--initrd", initrd, "--append", "console=ttyAMA0 panic=-1 nokaslr", *extra],
        stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.PIPE, text=True)


def kernel_symbols(tandem, paths, tmp):
    """{name: address} of FUNCTIONS as the booted kernel's /proc/kallsyms gives them."""
    rc = os.path.join(tmp, "rc.local")
    with open(rc, "w") as f:
        f.write("#!/bin/sh\n"
                "echo 0 >/proc/sys/kernel/kptr_restrict\n"
                "grep -E ' (%s)$' /proc/kallsyms | sed 's/^/tandem-sym: /'\n" % "|".join(FUNCTIONS))
    os.chmod(rc, 0o755)
    initrd = os.path.join(tmp, "kallsyms.gz")
    fetch("aarch64", "--initrd", initrd, "--file", f"{rc}:/etc/rc.local")
    with open(os.path.join(tmp, "first.out"), "w+") as out:
        proc = tandem_linux(tandem, paths, initrd, [], out)
        _, err = proc.communicate(timeout=LIMIT)
        out.seek(0)
        console = out.read()
    expect(proc.returncode == 0, f"the first boot exited {proc.returncode}", console + err)
    symbols = {m.group(2): int(m.group(1), 16)
               for m in re.finditer(r"^tandem-sym: ([0-9a-f]{16}) [Tt] (\S+)", console, re.M)}
    expect(set(symbols) == set(FUNCTIONS), f"/proc/kallsyms gave {symbols}", console)
    for name, address in symbols.items():
        # The kernel image's virtual range (VA_BITS 48: the linear map's upper half).
        expect(address >= 0xffff800000000000, f"{name} at {address:#x} is no kernel address")
    return symbols


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    tandem = sys.argv[1]
    gdb = shutil.which("gdb-multiarch")
    if gdb is None:
        print("SKIP: gdb-multiarch is not installed (scripts/setup installs it)")
        return 77
    paths = fetch("aarch64")
    with tempfile.TemporaryDirectory(prefix="tandem-gdb-linux-") as tmp:
        try:
            symbols = kernel_symbols(tandem, paths, tmp)
            print("from /proc/kallsyms: " +
                  ", ".join(f"{n} {a:#x}" for n, a in symbols.items()))
            sock = os.path.join(tmp, "gdb.sock")
            with open(os.path.join(tmp, "second.out"), "w+") as out:
                proc = tandem_linux(tandem, paths, paths["initrd.gz"],
                                    ["--gdb", "unix:" + sock, "--wait-gdb"], out)
                deadline = time.time() + 30
                while not os.path.exists(sock):
                    expect(proc.poll() is None and time.time() < deadline,
                           "tandem did not open " + sock)
                    time.sleep(0.02)
                execve, reboot = (symbols[n] for n in FUNCTIONS)
                # Usermode helpers (/sbin/modprobe) run through kernel_execve before /init:
                # gdb resumes those hits itself.
                text = run_gdb(gdb, None, sock, f"""break *{execve:#x} if $_streq((char*)$x0, "/init")
continue
printf "PC=%#lx\\n", $pc
printf "INIT=%s\\n", (char*)$x0
printf "ARGV0=%#lx X0=%#lx\\n", *(unsigned long*)$x1, $x0
delete
break *{reboot:#x}
continue
printf "PC2=%#lx\\n", $pc
printf "R0=%#lx\\n", ((unsigned long*)$x0)[0]
printf "R1=%#lx\\n", ((unsigned long*)$x0)[1]
printf "R2=%#lx\\n", ((unsigned long*)$x0)[2]
delete
continue
""", LIMIT)
                _, err = proc.communicate(timeout=LIMIT)
                out.seek(0)
                console = out.read()
            expect(number("PC", text) == execve, "no stop at kernel_execve", text)
            expect("INIT=/init\n" in text, "kernel_execve's x0 does not point to /init", text)
            argv0 = re.search(r"ARGV0=(0x[0-9a-f]+) X0=(0x[0-9a-f]+)", text)
            expect(argv0 and argv0.group(1) == argv0.group(2), "argv[0] is not x0", text)
            expect(number("PC2", text) == reboot, "no stop at __arm64_sys_reboot", text)
            # reboot(2) takes ints: the upper halves of the registers are not looked at.
            expect(number("R0", text) & 0xffffffff == 0xfee1dead and
                   number("R1", text) & 0xffffffff == 0x28121969,
                   "reboot(2)'s magic numbers are not in regs[0] and regs[1]", text)
            expect(number("R2", text) & 0xffffffff == 0x4321fedc, "reboot(2)'s command is not POWER_OFF", text)
            expect("exited normally" in text, "gdb did not see the run end normally", text)
            expect(proc.returncode == 0 and "tandem-init: poweroff" in console,
                   f"tandem exited {proc.returncode}", console[-3000:] + err)
            print(re.search(r"PC=.*?R2=0x[0-9a-f]+", text, re.S).group(0))
        except (Failure, subprocess.TimeoutExpired) as e:
            print(f"FAIL: {e}")
            return 1
    print("PASS: aarch64 Linux under gdb")
    return 0


if __name__ == "__main__":
    sys.exit(main())

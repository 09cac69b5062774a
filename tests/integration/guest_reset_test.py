#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# A guest's own reset (PSCI SYSTEM_RESET on aarch64, SBI SRST cold reboot on riscv64) restarts
# the VM from its files, as QEMU does:
#   guest_reset_test.py <tandem> <guests-dir>
# The `reset` guest prints its banner and asks for a reset at once, so each boot shows one
# banner: --reboot-limit 1 shows it twice and then ends (status 0, the reason on stderr);
# --no-reboot shows it once; the config key reboot_limit = 2 three times; without a limit it
# reboots until --timeout (status 124).
import os
import subprocess
import sys
import tempfile

tandem, guests = sys.argv[1:3]
guests = os.path.abspath(guests)
BANNER = "reset: booted, asking for a reset"
failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


def run(*args):
    p = subprocess.run([tandem, "run", *args], stdin=subprocess.DEVNULL, capture_output=True,
                       timeout=180, text=True)
    return p.returncode, p.stdout.splitlines().count(BANNER), p.stderr


for arch in ("aarch64", "riscv64"):
    guest = os.path.join(guests, arch, "reset.elf")
    if not os.path.exists(guest):
        print("SKIP: no %s" % guest)
        sys.exit(77)
    status, banners, err = run("--reboot-limit", "1", guest)
    check(banners == 2 and status == 0, "%s --reboot-limit 1: two boots, status 0 (%d, %d)" %
          (arch, banners, status))
    check("tandem: the guest reset after 1 restarts (--reboot-limit 1)" in err,
          "%s: the end says why (%s)" % (arch, err.strip()))
    status, banners, err = run("--no-reboot", guest)
    check(banners == 1 and status == 0 and "tandem: the guest reset (--no-reboot)" in err,
          "%s --no-reboot: one boot, status 0 (%d, %d)" % (arch, banners, status))
    with tempfile.NamedTemporaryFile("w", suffix=".toml", delete=False) as f:
        f.write('[tandem]\nguest = "%s"\nreboot_limit = 2\n' % guest)
    status, banners, err = run(f.name)
    os.unlink(f.name)
    check(banners == 3 and status == 0, "%s reboot_limit = 2 (config): three boots (%d, %d)" %
          (arch, banners, status))
    status, banners, err = run("--timeout", "2", guest)
    check(banners >= 3 and status == 124, "%s without a limit: reboots until --timeout "
          "(%d boots, status %d)" % (arch, banners, status))

print("%d failure(s)" % len(failures))
sys.exit(1 if failures else 0)

#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""A guest waiting for its timer costs the host (almost) no CPU.

    idle_cpu_test.py <tandem> <timer_idle.elf> [tandem run options...]

Runs the timer_idle guest (ten 200 ms timer periods, spent in WFI/HLT), then compares the CPU
time the tandem process used (user + system, from the kernel's accounting of the child) with
the wall time. A vCPU that spun while halted would use about 100%; the bound is 20%, far above
what an idle VM takes (about 1%) and far below a spinning one, so load on a shared machine does
not make the test flaky. Prints the measured figures.
"""
import os
import resource
import subprocess
import sys
import time


def main() -> int:
    tandem, guest, *options = sys.argv[1:]
    if not os.path.exists(guest):
        print(f"SKIP: no {guest}")
        return 77
    start = time.monotonic()
    proc = subprocess.run([tandem, "run", *options, guest], stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=60)
    wall = time.monotonic() - start
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = usage.ru_utime + usage.ru_stime
    if proc.returncode == 2 and "kvm backend unavailable" in proc.stderr:
        print("SKIP: " + proc.stderr.strip())
        return 77
    if proc.returncode != 0 or "timer: 10 interrupts" not in proc.stdout:
        print(f"FAIL: status {proc.returncode}\n{proc.stdout}{proc.stderr}", file=sys.stderr)
        return 1
    share = cpu / wall
    print(f"wall {wall:.2f} s, host CPU {cpu * 1000:.0f} ms ({share:.1%}) while the guest idled")
    if wall < 1.9:
        print("FAIL: the guest did not wait for its ten 200 ms periods", file=sys.stderr)
        return 1
    if share > 0.20:
        print("FAIL: a halted vCPU is using host CPU", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""A guest waiting for its timer costs the host (almost) no CPU.

    idle_cpu_test.py <tandem> <timer_idle.elf> [tandem run options...]

Runs the timer_idle guest (ten 200 ms timer periods, spent in WFI/HLT) and samples, every
50 ms, how long the threads of the tandem process have been runnable: on a CPU or waiting in a
run queue for one (the first two fields of /proc/<pid>/task/*/schedstat). A thread that spins
is runnable all the time however loaded the machine is (it waits for a CPU instead of running
on one); a thread that sleeps is neither. The share that counts is the lowest over any 1 s
stretch of the run: the guest waits for 2 s, so one such stretch lies inside the wait, clear of
start-up (loading, creating the VM) and tear-down, which on a slow machine (the nested-KVM VM
under TCG, where start-up alone takes half a second of CPU) would otherwise dominate. A vCPU
that spun while halted would be runnable about 100% of every stretch; the bound is 20%, far
above what an idle VM takes (a few percent) and far below a spinning one. Prints the figures.
"""
import os
import subprocess
import sys
import time

WINDOW = 1.0  # seconds; the guest waits 2 s
SAMPLE = 0.05
BOUND = 0.20


def runnable_seconds(pid):
    """Time the process's threads have spent on a CPU or waiting for one, or None once it has
    exited. A thread that ends between two samples takes its share with it, so this can only
    err low."""
    total = 0
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return None
    for tid in tasks:
        try:
            with open(f"/proc/{pid}/task/{tid}/schedstat") as f:
                on_cpu, waiting, _ = f.read().split()
        except (OSError, ValueError):
            continue
        total += int(on_cpu) + int(waiting)
    return total / 1e9


def main() -> int:
    tandem, guest, *options = sys.argv[1:]
    if not os.path.exists(guest):
        print(f"SKIP: no {guest}")
        return 77
    start = time.monotonic()
    proc = subprocess.Popen([tandem, "run", *options, guest], stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    samples = []  # (wall, runnable seconds) while the process runs
    while proc.poll() is None and time.monotonic() - start < 60:
        busy = runnable_seconds(proc.pid)
        if busy is not None and proc.poll() is None:
            samples.append((time.monotonic(), busy))
        time.sleep(SAMPLE)
    try:
        stdout, stderr = proc.communicate(timeout=5)
    except subprocess.TimeoutExpired:
        proc.kill()
        stdout, stderr = proc.communicate()
    wall = time.monotonic() - start
    if proc.returncode == 2 and "kvm backend unavailable" in stderr:
        print("SKIP: " + stderr.strip())
        return 77
    if proc.returncode != 0 or "timer: 10 interrupts" not in stdout:
        print(f"FAIL: status {proc.returncode}\n{stdout}{stderr}", file=sys.stderr)
        return 1
    if wall < 1.9:
        print("FAIL: the guest did not wait for its ten 200 ms periods", file=sys.stderr)
        return 1
    # For each sample, the share over the stretch from the latest sample WINDOW s before it.
    shares = []
    begin = 0
    for end_wall, end_busy in samples:
        while begin + 1 < len(samples) and samples[begin + 1][0] <= end_wall - WINDOW:
            begin += 1
        begin_wall, begin_busy = samples[begin]
        if end_wall - begin_wall >= WINDOW:
            shares.append((end_busy - begin_busy) / (end_wall - begin_wall))
    if not shares:
        print(f"FAIL: no {WINDOW} s stretch among {len(samples)} CPU samples", file=sys.stderr)
        return 1
    share = min(shares)
    print(f"wall {wall:.2f} s, runnable {samples[-1][1] * 1000:.0f} ms in all; {share:.1%} "
          f"of the quietest {WINDOW:.0f} s (of {len(shares)}), while the guest idled")
    if share > BOUND:
        print("FAIL: a halted vCPU keeps a host thread busy", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""A guest waiting for its timer costs the host (almost) no CPU.

    idle_cpu_test.py <tandem> <timer_idle.elf> [tandem run options...]

Runs the timer_idle guest (ten 200 ms timer periods, spent in WFI/HLT). The guest prints a line
before its first period and one after its last; between the two, tandem does nothing but wait
for timer deadlines. The test reads tandem's CPU time (user + system, /proc/<pid>/stat) when
each line arrives and compares the difference with the wall time between them, so process and
sanitizer start-up and shut-down are not counted. Load on the machine can only lower the share
(a process that waits uses no CPU however long it is descheduled), so the bound holds on a busy
machine: a vCPU that spun while halted would use about 100%, an idle one uses a few percent.
Prints the measured figures.
"""
import os
import subprocess
import sys
import time

LIMIT = 0.20
FIRST = "timer: "  # the guest's first line, printed before its first period
LAST = "timer: 10 interrupts"


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    # fields[0] is field 3 (state); utime and stime are fields 14 and 15.
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> int:
    tandem, guest, *options = sys.argv[1:]
    if not os.path.exists(guest):
        print(f"SKIP: no {guest}")
        return 77
    proc = subprocess.Popen([tandem, "run", *options, guest], stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    samples = {}
    out = []
    for line in proc.stdout:
        out.append(line)
        for marker in (FIRST, LAST):
            if line.startswith(marker) and marker not in samples:
                samples[marker] = (time.monotonic(), cpu_seconds(proc.pid))
    err = proc.stderr.read()
    status = proc.wait(timeout=60)
    if status == 2 and "kvm backend unavailable" in err:
        print("SKIP: " + err.strip())
        return 77
    if status != 0 or len(samples) != 2:
        print(f"FAIL: status {status}, markers seen {sorted(samples)}\n{''.join(out)}{err}",
              file=sys.stderr)
        return 1
    wall = samples[LAST][0] - samples[FIRST][0]
    cpu = samples[LAST][1] - samples[FIRST][1]
    share = cpu / wall
    print(f"idle phase: wall {wall:.2f} s, host CPU {cpu * 1000:.0f} ms ({share:.1%}); "
          f"limit {LIMIT:.0%}")
    # Status 0 says the guest took its ten interrupts; the host's view only needs to show it
    # was not a 2 s wait squeezed to nothing (the reader may see the first line late on a
    # loaded machine, so the floor is well below 2 s).
    if wall < 1.0:
        print("FAIL: the guest did not wait for its ten 200 ms periods", file=sys.stderr)
        return 1
    if share > LIMIT:
        print("FAIL: a halted vCPU is using host CPU", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

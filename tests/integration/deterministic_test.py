#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Deterministic runs on the emu backend (backends/emu/emu_icount.h, cli/record_replay.h):

    deterministic_test.py <tandem> <guests-dir> <arch>

  1. --icount: the timer and hello guests run twice with `--trace exits`; the two runs print
     the same console output and the same trace, every exit line carries its instruction count
     (icount=N) and the counts never go down. The timer guest also says its 10 ticks came on
     time, so guest time moved with the count.
  2. What --icount cannot do is refused with status 2 and a reason: a shift above 10, --record
     with --replay, and (when the x86_64 guests exist) an x86_64 guest.
  3. --record / --replay: the echo guest fed random bytes in random bursts (a pipe written with
     random pauses) is recorded, then replayed twice with nothing on stdin; the three runs print
     the same output (the bytes echoed back) and the same trace.
  4. A record that was cut short, had a byte flipped, or belongs to another guest is refused
     (status 2, saying which); one edited consistently (an input byte changed and the checksum
     redone) replays, diverges and says so (status 125, "replay diverged").
  5. Virtio disk and entropy (cli/recorded_devices.h): the virtio guest with `--drive` and
     `--rng` is recorded, then replayed twice: the same output and trace; the record holds the
     entropy's 64 bytes; the image is what the recorded run left (the guest's sector 1) and
     the replays leave it byte for byte as it was. A replay on an all-zero image of the same
     name and size still reads the marker (reads come from the record) and leaves it zero; one
     on an image of another size is refused (status 2). The record without its entropy line
     (checksum redone) diverges where the device asks for it (status 125).
  6. Several vCPUs (backends/emu/emu_icount.h: one count, the vCPUs in turn on one thread): the
     smp guest with --cpus 2 under --icount twice, then recorded and replayed twice: it counts
     to 2000 under its lock each time, every trace is the same (both vCPUs' exits, in the same
     order, at the same counts).

Exit status 0 when everything passed, 1 otherwise, 77 (skip) when the guests are missing.
Python 3 standard library only.
"""

import os
import random
import re
import subprocess
import sys
import tempfile
import threading
import time

LIMIT = 120  # seconds for one run; they take well under one
FNV_BASIS = 0xCBF29CE484222325


class Failure(Exception):
    pass


def run(cmd, stdin=subprocess.DEVNULL):
    p = subprocess.run(cmd, stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=LIMIT)
    return p.returncode, p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace")


def exit_lines(err):
    return [line for line in err.splitlines() if line.startswith("exit ")]


def check_counts(name, err):
    lines = exit_lines(err)
    if not lines:
        raise Failure(f"{name}: no exit lines in the trace")
    last = 0
    for line in lines:
        m = re.search(r" icount=(\d+)$", line)
        if not m:
            raise Failure(f"{name}: an exit line without its count: {line!r}")
        count = int(m.group(1))
        if count < last:
            raise Failure(f"{name}: the count went down ({last} -> {count}) at {line!r}")
        last = count
    return len(lines), last


def same_runs(name, runs):
    first = runs[0]
    for i, other in enumerate(runs[1:], 2):
        if other[1] != first[1]:
            raise Failure(f"{name}: run {i} printed other console output than run 1")
        a, b = exit_lines(first[2]), exit_lines(other[2])
        if a != b:
            diff = next((j for j in range(min(len(a), len(b))) if a[j] != b[j]), min(len(a), len(b)))
            raise Failure(f"{name}: run {i}'s trace differs from run 1's at exit line {diff + 1} "
                          f"({len(a)} and {len(b)} lines): "
                          f"{a[diff] if diff < len(a) else '<end>'} / "
                          f"{b[diff] if diff < len(b) else '<end>'}")


def icount_twice(tandem, guests, arch):
    for guest in ("timer", "hello"):
        elf = os.path.join(guests, arch, f"{guest}.elf")
        cmd = [tandem, "run", "--icount", "--trace", "exits", elf]
        runs = [run(cmd) for _ in range(2)]
        for status, out, err in runs:
            if status != 0:
                raise Failure(f"{guest}: status {status}: {err[-2000:]}")
        same_runs(guest, runs)
        lines, last = check_counts(guest, runs[0][2])
        if guest == "timer" and "timer: 10 interrupts" not in runs[0][1]:
            raise Failure(f"timer: {runs[0][1]!r}")
        print(f"{guest}: 2 runs, {lines} identical exit lines, last count {last}")


def refusals(tandem, guests, arch):
    elf = os.path.join(guests, arch, "hello.elf")
    cases = [(["--icount-shift", "11"], "from 0 to 10"),
             (["--record", "/dev/null", "--replay", "/dev/null"], "either records or replays")]
    x86 = os.path.join(guests, "x86_64", "hello.elf")
    for args, why in cases + ([(["--icount", x86], "x86_64")] if os.path.exists(x86) else []):
        cmd = [tandem, "run", *args] + ([] if args[-1] == x86 else [elf])
        status, _, err = run(cmd)
        if status != 2 or why not in err:
            raise Failure(f"{args}: status {status}, want 2 and {why!r}: {err!r}")
        print(f"refused {' '.join(args)}: {err.strip().splitlines()[-1]}")


def record_echo(tandem, elf, path, rng):
    """Records the echo guest fed random bytes in random bursts; returns the run and the bytes."""
    text = "".join(rng.choice("abcdefghijklmnoprstuvwxyz0123456789 \n") for _ in range(300))
    proc = subprocess.Popen([tandem, "run", "--record", path, "--trace", "exits", elf],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    out = {}
    ready = threading.Event()

    def reader(name, stream):
        got = b""
        while chunk := stream.read1(4096):
            got += chunk
            if b"echo: ready" in got:
                ready.set()
        out[name] = got.decode(errors="replace")

    threads = [threading.Thread(target=reader, args=(n, s))
               for n, s in (("out", proc.stdout), ("err", proc.stderr))]
    for t in threads:
        t.start()
    ready.wait(timeout=LIMIT)  # input then arrives while the guest waits in WFI, in bursts
    data = (text + "q").encode()
    at = 0
    while at < len(data):
        n = rng.randint(1, 40)
        proc.stdin.write(data[at:at + n])
        proc.stdin.flush()
        at += n
        time.sleep(rng.random() * 0.02)
    proc.stdin.close()
    proc.wait(timeout=LIMIT)
    for t in threads:
        t.join()
    return (proc.returncode, out["out"], out["err"]), text


def fnv1a(data):
    h = FNV_BASIS
    for b in data:
        h = ((h ^ b) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return h


def record_replay(tandem, guests, arch, tmp):
    elf = os.path.join(guests, arch, "echo.elf")
    path = os.path.join(tmp, "echo.rec")
    rng = random.Random(int(os.environ.get("DETERMINISTIC_SEED", time.time_ns())))
    recorded, text = record_echo(tandem, elf, path, rng)
    if recorded[0] != 0:
        raise Failure(f"record: status {recorded[0]}: {recorded[2][-2000:]}")
    if recorded[1] != f"echo: ready\n{text}echo: bye\n":
        raise Failure(f"record: the guest did not echo the input: {recorded[1]!r}")
    cmd = [tandem, "run", "--replay", path, "--trace", "exits", elf]
    runs = [recorded] + [run(cmd) for _ in range(2)]
    for status, _, err in runs[1:]:
        if status != 0:
            raise Failure(f"replay: status {status}: {err[-2000:]}")
    same_runs("echo record/replay", runs)
    lines, last = check_counts("echo", recorded[2])
    with open(path, "rb") as f:
        data = f.read()
    inputs = data.count(b"\ninput ")
    print(f"echo: recorded ({inputs} input batches, {len(data)} bytes), replayed twice: "
          f"{lines} identical exit lines, last count {last}, same output")
    return elf, path, data


def tampered(tandem, guests, arch, tmp, elf, data):
    def replay_of(name, content, guest=elf):
        path = os.path.join(tmp, name)
        with open(path, "wb") as f:
            f.write(content)
        return run([tandem, "run", "--replay", path, guest])

    sum_at = data.rindex(b"sum ")
    middle = len(data) // 2
    flipped = data[:middle] + bytes([data[middle] ^ 0x01]) + data[middle + 1:]
    cases = [("truncated", data[:middle], "truncated"),
             ("flipped", flipped, "corrupt")]
    hello = os.path.join(guests, arch, "hello.elf")
    for name, content, why in cases:
        status, _, err = replay_of(name, content)
        if status != 2 or why not in err:
            raise Failure(f"{name} record: status {status}, want 2 and {why!r}: {err!r}")
        print(f"{name} record refused: {err.strip().splitlines()[-1]}")
    status, _, err = replay_of("foreign", data, hello)
    if status != 2 or "recorded for another run" not in err:
        raise Failure(f"another guest's record: status {status}: {err!r}")
    print(f"another guest's record refused: {err.strip().splitlines()[-1]}")
    # A consistent edit: the first input batch's first byte changed, the checksum redone.
    m = re.search(rb"\ninput \d+ \d+ ([0-9a-f]{2})", data)
    if not m:
        raise Failure("the record has no input line")
    byte = int(m.group(1), 16)
    new = b"%02x" % (byte ^ 0x01 if byte ^ 0x01 != ord("q") else byte ^ 0x02)
    body = data[:m.start(1)] + new + data[m.end(1):sum_at]
    edited = body + b"sum %016x\n" % fnv1a(body)
    status, _, err = replay_of("edited", edited)
    if status != 125 or "replay diverged" not in err:
        raise Failure(f"edited record: status {status}, want 125 and 'replay diverged': {err!r}")
    print(f"edited record: {err.strip().splitlines()[-1]}")


def make_disk(path, marker=True):
    with open(path, "wb") as f:
        f.write(b"tandem virtio-blk marker" if marker else b"")
        f.truncate(64 * 1024)


def file_bytes(path):
    with open(path, "rb") as f:
        return f.read()


def record_virtio(tandem, guests, arch, tmp):
    elf = os.path.join(guests, arch, "virtio.elf")
    rec = os.path.join(tmp, "virtio.rec")
    os.mkdir(os.path.join(tmp, "disk"))
    disk = os.path.join(tmp, "disk", "disk.img")
    make_disk(disk)

    def cmd(mode, path, image=disk):
        return [tandem, "run", mode, path, "--trace", "exits", "--drive", f"file={image}",
                "--rng", elf]

    runs = [run(cmd("--record", rec))]
    left = file_bytes(disk)
    if left[512:512 + 27] != b"written by the virtio guest":
        raise Failure(f"virtio record: the guest's sector 1 is not in the image: {left[512:560]!r}")
    for _ in range(2):
        runs.append(run(cmd("--replay", rec)))
        if file_bytes(disk) != left:
            raise Failure("virtio replay: the image changed")
    for status, out, err in runs:
        if status != 0 or "sector text: written by the virtio guest" not in out:
            raise Failure(f"virtio: status {status}: {out[-1000:]} {err[-2000:]}")
    same_runs("virtio record/replay", runs)
    lines, last = check_counts("virtio", runs[0][2])
    data = file_bytes(rec).decode()
    rng = re.findall(r"^dev rng \d+ \d+ ([0-9a-f]+)$", data, re.M)
    disk_ops = len(re.findall(r"^dev disk0 ", data, re.M))
    if [len(h) for h in rng] != [128]:
        raise Failure(f"virtio: the record's entropy: {rng}")
    print(f"virtio: recorded (64 random bytes {rng[0][:16]}..., {disk_ops} disk operations), "
          f"replayed twice: {lines} identical exit lines, last count {last}, same output, "
          "the image unchanged by the replays")
    os.mkdir(os.path.join(tmp, "zero"))
    zero = os.path.join(tmp, "zero", "disk.img")
    make_disk(zero, marker=False)
    status, out, err = run(cmd("--replay", rec, zero))
    if status != 0 or out != runs[0][1] or exit_lines(err) != exit_lines(runs[0][2]):
        raise Failure(f"virtio replay on a zero image: status {status}: {out!r} {err[-2000:]}")
    if file_bytes(zero) != bytes(64 * 1024):
        raise Failure("virtio replay on a zero image: the image changed")
    print("virtio: replayed on an all-zero image: the same output and trace, the image still zero")
    # The entropy's line taken out (the checksum redone): the device asks where the record has
    # nothing for it.
    body = re.sub(r"^dev rng .*\n", "", data[:data.rindex("sum ")], flags=re.M).encode()
    with open(os.path.join(tmp, "virtio-no-rng.rec"), "wb") as f:
        f.write(body + b"sum %016x\n" % fnv1a(body))
    status, _, err = run(cmd("--replay", os.path.join(tmp, "virtio-no-rng.rec")))
    if status != 125 or "replay diverged: rng asked for its input 1" not in err:
        raise Failure(f"virtio record without its entropy: status {status}: {err[-2000:]}")
    print(f"virtio record without its entropy: {err.strip().splitlines()[-1]}")
    with open(zero, "ab") as f:
        f.write(bytes(512))
    status, _, err = run(cmd("--replay", rec, zero))
    if status != 2 or "recorded for another run" not in err:
        raise Failure(f"virtio replay on a larger image: status {status}: {err!r}")
    print(f"virtio: a larger image refused: {err.strip().splitlines()[-1]}")


def smp(tandem, guests, arch, tmp):
    elf = os.path.join(guests, arch, "smp.elf")
    rec = os.path.join(tmp, "smp.rec")
    base = [tandem, "run", "--cpus", "2", "--trace", "exits"]
    runs = [run(base + ["--icount", elf]) for _ in range(2)]
    runs += [run(base + ["--record", rec, elf])]
    runs += [run(base + ["--replay", rec, elf]) for _ in range(2)]
    for status, out, err in runs:
        if status != 0 or "smp: 2 cpus, counter = 2000" not in out:
            raise Failure(f"smp: status {status}: {out!r} {err[-2000:]}")
    same_runs("smp --icount", runs[:2])
    same_runs("smp record/replay", runs[2:])
    lines, last = check_counts("smp", runs[0][2])
    per_cpu = [sum(" cpu=%d " % c in line for line in exit_lines(runs[0][2])) for c in (0, 1)]
    if 0 in per_cpu:
        raise Failure(f"smp: exits per vCPU {per_cpu}: one vCPU never exited")
    print(f"smp --cpus 2: --icount twice, record and two replays: {lines} identical exit lines "
          f"(vCPU 0: {per_cpu[0]}, vCPU 1: {per_cpu[1]}), last count {last}")


def main():
    if len(sys.argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    tandem, guests, arch = sys.argv[1:]
    for guest in ("timer", "hello", "echo", "virtio", "smp"):
        if not os.path.exists(os.path.join(guests, arch, f"{guest}.elf")):
            print(f"SKIP: no {guest} guest for {arch}")
            return 77
    try:
        icount_twice(tandem, guests, arch)
        refusals(tandem, guests, arch)
        with tempfile.TemporaryDirectory() as tmp:
            elf, _, data = record_replay(tandem, guests, arch, tmp)
            tampered(tandem, guests, arch, tmp, elf, data)
            record_virtio(tandem, guests, arch, tmp)
            smp(tandem, guests, arch, tmp)
    except (Failure, subprocess.TimeoutExpired) as e:
        print(f"FAIL: {e}", file=sys.stderr)
        return 1
    print("PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main())

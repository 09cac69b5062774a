#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""A Linux boot recorded, then replayed twice (cli/record_replay.h):

    record_linux_test.py <tandem> [--arch aarch64|riscv64] [--case linux|virtio|net] [--cpus N]

Debian's kernel with the busybox initramfs of scripts/fetch-guests (the `linux` case of
real_guest_test.py: /init reports "up", the release and the CPU count, then powers off) on the
emu backend with --cpus vCPUs (default 1; several take turns by the count) and `--trace exits`:
once with --record, twice with --replay of that record. The three runs must end with status 0,
report the CPU count and print the same console output and the same trace, every line of which
carries the instruction count of its exit. Traces are compared by digest as they stream (a
boot makes millions of exit lines). Timings are printed, never judged.

--case virtio (cli/recorded_devices.h): real_guest_test.py's virtio case without the virtio
console, on a virtio-blk disk (ext4) and a virtio-rng device: /init mounts the disk, reads
/hello, writes /new, and prints 64 bytes of /dev/hwrng in hex. The replays must print the
recorded bytes, and the image must be byte for byte what the recorded run left (/new in it,
read with debugfs) after each replay.

--case net: real_guest_test.py's net case without the host forward: /init gets its address by
DHCP from the user-mode network and fetches a page with wget from an HTTP server this test runs
on the host's loopback. The replays run without the user-mode network (the frames the guest
received come from the record) and must print the same page.
"""
import argparse
import hashlib
import os
import re
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import real_guest_test  # noqa: E402  (fetch, CONSOLE)

LIMIT = 600


def run(cmd):
    """Runs `cmd`; its status, stdout, and the digest, line count and last line of its trace."""
    start = time.monotonic()
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    out = []
    reader = threading.Thread(target=lambda: out.append(proc.stdout.read()))
    reader.start()
    digest, lines, last, other = hashlib.sha256(), 0, b"", []
    for line in proc.stderr:
        if line.startswith(b"exit "):
            if b" icount=" not in line:
                raise SystemExit(f"FAIL: an exit line without its count: {line!r}")
            digest.update(line)
            lines += 1
            last = line
        else:
            other.append(line)
    proc.wait(timeout=LIMIT)
    reader.join()
    return {"status": proc.returncode, "out": out[0].decode(errors="replace"),
            "trace": digest.hexdigest(), "lines": lines, "last": last.decode().strip(),
            "stderr": b"".join(other[-20:]).decode(errors="replace"),
            "seconds": time.monotonic() - start}


def image_state(boot):
    """The disk image's digest and the /new file in it (None without a disk)."""
    if "disk" not in boot:
        return None
    with open(boot["disk"], "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    return {"sha256": digest, "new": real_guest_test.debugfs_cat(boot["disk"], "/new").strip()}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("tandem")
    p.add_argument("--arch", default="aarch64", choices=["aarch64", "riscv64"])
    p.add_argument("--case", default="linux", choices=["linux", "virtio", "net"])
    p.add_argument("--cpus", type=int, default=1)
    args = p.parse_args()
    paths = real_guest_test.fetch(args.arch)
    with tempfile.TemporaryDirectory() as tmp:
        boot = {"initrd": paths["initrd.gz"]}
        if args.case == "virtio":
            real_guest_test.virtio_setup(args.arch, paths, boot, tmp,
                                         hwrng="od -An -tx1 | tr -d ' \\n'")
        if args.case == "net":
            real_guest_test.net_setup(args.arch, boot, tmp, forward=False)
        base = [args.tandem, "run", "--backend", "emu", "--arch", args.arch, "--mem", "512M",
                "--cpus", str(args.cpus),
                "--kernel", paths["Image"], "--initrd", boot["initrd"],
                "--append", f"console={real_guest_test.CONSOLE[args.arch]} panic=-1",
                "--trace", "exits"]
        if args.case == "virtio":
            base += ["--drive", f"file={boot['disk']},format=raw", "--rng"]
        if args.case == "net":
            base += ["--nic", "user"]
        record = os.path.join(tmp, "linux.rec")
        runs = [run(base + ["--record", record])]
        size = os.path.getsize(record)
        images = [image_state(boot)]
        for _ in range(2):
            runs.append(run(base + ["--replay", record]))
            images.append(image_state(boot))
    for name, r in zip(("record", "replay 1", "replay 2"), runs):
        print(f"{name}: status {r['status']}, {r['lines']} exit lines, {r['seconds']:.1f} s, "
              f"last: {r['last']}")
        if r["status"] != 0:
            print(f"FAIL: {name}: status {r['status']}\n{r['stderr']}\n{r['out'][-2000:]}",
                  file=sys.stderr)
            return 1
    if (f"tandem-init: cpus {args.cpus}" not in runs[0]["out"]
            or "tandem-init: poweroff" not in runs[0]["out"]):
        print(f"FAIL: the boot did not reach /init and power off:\n{runs[0]['out'][-2000:]}",
              file=sys.stderr)
        return 1
    if args.case == "virtio":
        m = re.search(r"tandem-init: hwrng ([0-9a-f]{128})\r?\n", runs[0]["out"])
        if not m or images[0]["new"] != real_guest_test.NEW_FILE:
            print(f"FAIL: no 64 random bytes, or /new is {images[0]['new']!r}:\n"
                  f"{runs[0]['out'][-2000:]}", file=sys.stderr)
            return 1
        if images[1:] != images[:1] * 2:
            print("FAIL: a replay changed the image", file=sys.stderr)
            return 1
        print(f"hwrng: {m.group(1)}; /new: {images[0]['new']}; image sha256 "
              f"{images[0]['sha256'][:16]} after the record and after each replay")
    if args.case == "net":
        want = ["tandem-init: dhcp 10.0.2.15", f"tandem-init: wget {real_guest_test.WEB_PAGE}"]
        missing = [w for w in want if w not in runs[0]["out"]]
        if missing:
            print(f"FAIL: the recorded run did not report {missing}:\n{runs[0]['out'][-2000:]}",
                  file=sys.stderr)
            return 1
        print(f"net: {'; '.join(want)}")
    for i, r in enumerate(runs[1:], 1):
        if r["out"] != runs[0]["out"]:
            print(f"FAIL: replay {i} printed other console output", file=sys.stderr)
            return 1
        if (r["trace"], r["lines"]) != (runs[0]["trace"], runs[0]["lines"]):
            print(f"FAIL: replay {i}'s trace differs ({r['lines']} lines, "
                  f"{runs[0]['lines']} recorded)", file=sys.stderr)
            return 1
    print(f"PASS: record ({size} bytes) and two replays: same console output, "
          f"{runs[0]['lines']} identical exit lines (sha256 {runs[0]['trace'][:16]})")
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""One real-guest case (../shared/docs/REAL-GUESTS.md) on one runner:

  real_guest_test.py --runner qemu|emu --arch aarch64|riscv64 --case linux|virtio|uboot
                     [--cpus N] [--tandem build/cli/tandem]

The binaries come from scripts/fetch-guests (cache/guests/<arch>/). Cases:
  linux   the kernel with the busybox initramfs: /init reports "up", the kernel release the
          package names, the CPU count, then powers off; the run ends with status 0.
  virtio  the same with an initramfs that carries virtio_mmio and virtio_blk (and what they
          depend on) and a virtio-blk disk: the modules load, /dev/vda appears and reads back
          the bytes written into the disk file.
  uboot   U-Boot: its autoboot is stopped at the countdown, `version` answers with U-Boot
          2023.01, `poweroff` ends the run with status 0.
The qemu runner is the reference Tandem's runs are compared with (QEMU as in REAL-GUESTS.md);
the emu runner is `tandem run` on the emu backend with the same files and options.
The time limit (--limit, default 300 s) only stops a hung guest; nothing is timed.
"""
import argparse
import os
import re
import select
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FETCH = os.path.join(ROOT, "scripts", "fetch-guests")
CONSOLE = {"aarch64": "ttyAMA0", "riscv64": "ttyS0"}
DISK_MARK = b"TANDEM-DISK-5b1d0c"


def fetch(arch, *extra):
    """Runs scripts/fetch-guests and returns {name: path} from the lines it prints."""
    out = subprocess.run([FETCH, "--arch", arch, *extra], check=True, stdout=subprocess.PIPE,
                         text=True).stdout
    paths = {}
    for line in out.splitlines():
        m = re.match(r"^\S+ (\S+): (.*)$", line)
        if m:
            paths[m.group(1)] = m.group(2)
    return paths


def qemu_command(arch, cpus, boot):
    """QEMU's command for `boot`: {"kernel", "initrd", "append", "disk"} or {"firmware"}."""
    if arch == "aarch64":
        cmd = ["qemu-system-aarch64", "-M", "virt", "-cpu", "cortex-a57"]
    else:
        cmd = ["qemu-system-riscv64", "-M", "virt", "-bios", "default"]
    cmd += ["-smp", str(cpus), "-m", "512M", "-nographic", "-no-reboot", "-nic", "none"]
    if "firmware" in boot:
        # aarch64 U-Boot runs in place from flash at 0 (-bios); riscv64 S-mode U-Boot is the
        # payload OpenSBI enters at 0x80200000 (-kernel).
        cmd += ["-bios" if arch == "aarch64" else "-kernel", boot["firmware"]]
        return cmd
    cmd += ["-kernel", boot["kernel"], "-initrd", boot["initrd"], "-append", boot["append"]]
    if "disk" in boot:
        cmd += ["-drive", f"if=none,file={boot['disk']},format=raw,id=d0",
                "-device", "virtio-blk-device,drive=d0"]
    return cmd


def tandem_command(tandem):
    """`tandem run`'s command for `boot`, in the words of qemu_command's options."""

    def command(arch, cpus, boot):
        cmd = [tandem, "run", "--backend", "emu", "--arch", arch, "--cpus", str(cpus),
               "--mem", "512M"]
        if "firmware" in boot:
            # aarch64: in place from flash at 0 (-bios); riscv64: the S-mode payload (-kernel).
            return cmd + ["--bios" if arch == "aarch64" else "--kernel", boot["firmware"]]
        return cmd + ["--kernel", boot["kernel"], "--initrd", boot["initrd"],
                      "--append", boot["append"]]

    return command


class Console:
    """The guest's console on a child's stdin/stdout, read as it comes."""

    def __init__(self, cmd, limit):
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT)
        self.limit = limit
        self.start = time.monotonic()
        self.deadline = self.start + limit
        self.seen = b""
        self.matched = 0  # expect() looks for the next pattern from here

    def expect(self, pattern):
        """Reads until `pattern` (bytes) appears after the previous match, and moves past it."""
        while (at := self.seen.find(pattern, self.matched)) < 0:
            if not self.read():
                self.fail(f"console never showed {pattern!r}")
        self.matched = at + len(pattern)

    def send(self, text):
        self.proc.stdin.write(text)
        self.proc.stdin.flush()

    def read(self):
        """One chunk; False at end of output or when the limit has passed."""
        left = self.deadline - time.monotonic()
        if left <= 0 or not select.select([self.proc.stdout], [], [], left)[0]:
            return False
        chunk = os.read(self.proc.stdout.fileno(), 65536)
        self.seen += chunk
        return bool(chunk)

    def finish(self):
        """Reads to the end; fails unless the guest ended the run with status 0."""
        while self.read():
            pass
        try:
            status = self.proc.wait(timeout=max(0.1, self.deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            self.fail(f"still running after {self.limit} s")
        if status != 0:
            self.fail(f"exit status {status}, want 0")

    def fail(self, why):
        """Stops the guest, shows the end of its console and ends the test."""
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        sys.stdout.write(self.seen.decode("utf-8", "replace")[-6000:])
        print(f"\nFAIL: {why}")
        sys.exit(1)


def run_linux(args, command, tmp):
    paths = fetch(args.arch)
    boot = {"kernel": paths["Image"], "initrd": paths["initrd.gz"],
            "append": f"console={CONSOLE[args.arch]} panic=-1"}
    if args.case == "virtio":
        rc = os.path.join(tmp, "rc.local")
        with open(rc, "w") as f:
            f.write('#!/bin/sh\necho "tandem-init: blocks $(ls /sys/block)"\n'
                    f'echo "tandem-init: vda $(head -c {len(DISK_MARK)} /dev/vda)"\n')
        os.chmod(rc, 0o755)
        boot["initrd"] = os.path.join(tmp, "initrd.gz")
        fetch(args.arch, "--initrd", boot["initrd"], "--module", "virtio_mmio", "--module",
              "virtio_blk", "--file", f"{rc}:/etc/rc.local")
        boot["disk"] = os.path.join(tmp, "disk.img")
        with open(boot["disk"], "wb") as f:
            f.write(DISK_MARK.ljust(65536, b"\0"))
    with open(paths["release"]) as f:
        release = f.read().strip()
    console = Console(command(args.arch, args.cpus, boot), args.limit)
    console.expect(b"tandem-init: up")
    up = time.monotonic() - console.start  # reported, never judged: the machine may be loaded
    console.finish()
    lines = [l.strip() for l in console.seen.decode("utf-8", "replace").splitlines()]
    want = ["tandem-init: up", f"tandem-init: release {release}",
            f"tandem-init: cpus {args.cpus}"]
    if args.case == "virtio":
        want += ["tandem-init: insmod virtio_blk ok", "tandem-init: insmod virtio_mmio ok",
                 "tandem-init: blocks vda", f"tandem-init: vda {DISK_MARK.decode()}"]
    want.append("tandem-init: poweroff")
    got = [l for l in lines if l.startswith("tandem-init:")]
    missing = [w for w in want if w not in got]
    if missing:
        console.fail(f"/init did not report {missing}")
    print("\n".join(got))
    print(f"/init ran {up:.2f} s after the start (wall time, this run)")


def run_uboot(args, command, _tmp):
    paths = fetch(args.arch)
    console = Console(command(args.arch, args.cpus, {"firmware": paths["u-boot.bin"]}),
                      args.limit)
    console.expect(b"Hit any key to stop autoboot")
    console.send(b" ")
    console.expect(b"=> ")
    console.send(b"version\n")
    console.expect(b"U-Boot 2023.01")
    console.expect(b"=> ")
    console.send(b"poweroff\n")
    console.finish()
    print(re.search(rb"U-Boot 2023\.01[^\r\n]*", console.seen).group(0).decode())


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--runner", choices=["qemu", "emu"], required=True)
    p.add_argument("--tandem", help="the tandem program (emu runner)")
    p.add_argument("--arch", choices=["aarch64", "riscv64"], required=True)
    p.add_argument("--case", choices=["linux", "virtio", "uboot"], required=True)
    p.add_argument("--cpus", type=int, default=1)
    p.add_argument("--limit", type=float, default=300)
    args = p.parse_args()
    if args.runner == "emu" and not args.tandem:
        p.error("--runner emu needs --tandem")
    command = qemu_command if args.runner == "qemu" else tandem_command(args.tandem)
    run = run_uboot if args.case == "uboot" else run_linux
    with tempfile.TemporaryDirectory() as tmp:
        run(args, command, tmp)
    print(f"{args.runner} {args.arch} {args.case} cpus={args.cpus}: ok")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""One real-guest case (../shared/docs/REAL-GUESTS.md) on one runner:

  real_guest_test.py --runner qemu|emu|image --arch aarch64|riscv64 --case linux|virtio|net|uboot
                     [--cpus N] [--tandem build/cli/tandem]

The binaries come from scripts/fetch-guests (cache/guests/<arch>/). Cases:
  linux   the kernel with the busybox initramfs: /init reports "up", the kernel release the
          package names, the CPU count, then powers off; the run ends with status 0.
  virtio  the same with an initramfs that carries virtio_mmio, virtio_blk, virtio_rng (and
          ext4 where the kernel has it as a module, and what they depend on), a virtio-blk
          disk holding an ext4 file system made on the host with `mke2fs -d` and a
          virtio-rng device (version 2 transports, as Tandem has): /dev/vda appears, mounts,
          its /hello reads back, the guest writes /new, and 64 bytes come from /dev/hwrng;
          after the run the host reads /new from the image with `debugfs -R "cat /new"`.
          Tandem's run adds `--console virtio`: the guest writes a line to /dev/hvc0 and reads
          back the line the test types (console input goes to the virtio console). In the image
          (aarch64) the disk is packed into the image and the guest's writes stay in the
          machine's RAM: QEMU's RAM is a file here, and the test takes the disk out of it from
          where the image says it lies before it runs debugfs; on aarch64 the entropy comes
          from the CPU's RNDR (QEMU -cpu max); the riscv64 image has no entropy source (QEMU
          7.2's OpenSBI 1.1 leaves the seed CSR to M-mode) and runs without --rng: /dev/hwrng
          then gives nothing.
  net     the same with virtio_net and a virtio-net device on the user-mode network (QEMU's
          `-nic user`, libslirp) whose host forward takes a port on the host's loopback to
          port 7777 in the guest: `udhcpc` gets 10.0.2.15, `wget` fetches a page from an HTTP
          server the test runs on the host's loopback (the guest reaches it at 10.0.2.2), and
          a line the test sends to the forwarded port reaches `nc -l` in the guest.
  uboot   U-Boot: its autoboot is stopped at the countdown, `version` answers with U-Boot
          2023.01, `poweroff` ends the run with status 0.
The qemu runner is the reference Tandem's runs are compared with (QEMU as in REAL-GUESTS.md);
the emu runner is `tandem run` on the emu backend with the same files and options; the image
runner packs the same files and options with `tandem build-image` into the bare-metal image
of the architecture and boots that under QEMU at EL2 / HS-mode (one physical CPU per vCPU).
The time limit (--limit, default 300 s) only stops a hung guest; nothing is timed.
"""
import argparse
import functools
import os
import re
import select
import socket
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FETCH = os.path.join(ROOT, "scripts", "fetch-guests")
CONSOLE = {"aarch64": "ttyAMA0", "riscv64": "ttyS0"}
RAM_BASE = {"aarch64": 0x4000_0000, "riscv64": 0x8000_0000}  # QEMU virt: where RAM starts
# QEMU's CPU with FEAT_RNG (the image's --rng); it also has SVE, SME and pointer
# authentication, which the image gives its guest (backends/baremetal/README.md, "Virtio devices").
IMAGE_CPU_WITH_RNG = "max"
# What the guest's /proc/cpuinfo lists of those on that CPU, and the largest SVE vector length
# its kernel finds there (bytes): QEMU's `-cpu max` enables every SVE length up to 2048 bits
# (docs/system/arm/cpu-features.rst); a length the image capped (ZCR_EL2.LEN) would show
# smaller. Debian's 6.1 kernel is built without CONFIG_ARM64_SME, so it neither uses nor lists
# SME.
IMAGE_CPU_FEATURES = "sve paca pacg"
IMAGE_SVE_LINE = "SVE: maximum available vector length 256 bytes per vector"
DISK_MARK = "TANDEM-DISK-5b1d0c"
NEW_FILE = "written by the guest"
HVC0_INPUT = b"typed-into-hvc0"
HVC0_AGAIN = b"typed-for-cat"
WEB_PAGE = "TANDEM-WEB-9c2e41"
FORWARDED = "TANDEM-FWD-47ad03"
GUEST_PORT = 7777


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
    cmd += ["-smp", str(cpus), "-m", "512M", "-nographic", "-no-reboot"]
    if "hostfwd" in boot:
        cmd += ["-global", "virtio-mmio.force-legacy=false",
                "-netdev", f"user,id=n0,hostfwd={boot['hostfwd']}",
                "-device", "virtio-net-device,netdev=n0"]
    else:
        cmd += ["-nic", "none"]
    if "firmware" in boot:
        # aarch64 U-Boot runs in place from flash at 0 (-bios); riscv64 S-mode U-Boot is the
        # payload OpenSBI enters at 0x80200000 (-kernel).
        cmd += ["-bios" if arch == "aarch64" else "-kernel", boot["firmware"]]
        return cmd
    cmd += ["-kernel", boot["kernel"], "-initrd", boot["initrd"], "-append", boot["append"]]
    if "disk" in boot:
        # Modern (version 2) transports, as Tandem's; the devices in Tandem's order.
        cmd += ["-global", "virtio-mmio.force-legacy=false",
                "-drive", f"if=none,file={boot['disk']},format=raw,id=d0",
                "-device", "virtio-blk-device,drive=d0", "-device", "virtio-rng-device"]
    return cmd


def boot_options(arch, cpus, boot):
    """The options `tandem run` and `tandem build-image` share, in the words of qemu_command's."""
    cmd = ["--arch", arch, "--cpus", str(cpus), "--mem", "512M"]
    if "firmware" in boot:
        # aarch64: in place from flash at 0 (-bios); riscv64: the S-mode payload (-kernel).
        return cmd + ["--bios" if arch == "aarch64" else "--kernel", boot["firmware"]]
    return cmd + ["--kernel", boot["kernel"], "--initrd", boot["initrd"],
                  "--append", boot["append"]]


def virtio_options(boot):
    """Tandem's virtio devices for `boot`: QEMU's in the same order, then the virtio console
    (hvc0) that only Tandem's runs have: console input goes to it."""
    if "disk" not in boot:
        return []
    rng = ["--rng"] if boot.get("rng", True) else []
    return ["--drive", f"file={boot['disk']},format=raw", *rng, "--console", "virtio"]


def tandem_command(tandem):
    """`tandem run`'s command for `boot` on the emu backend."""

    def command(arch, cpus, boot):
        cmd = [tandem, "run", "--backend", "emu"] + boot_options(arch, cpus, boot)
        cmd += virtio_options(boot)
        if "hostfwd" in boot:
            cmd += ["--nic", f"user,hostfwd={boot['hostfwd']}"]
        return cmd

    return command


def image_command(tandem, tmp, ram_file=True, cpu=IMAGE_CPU_WITH_RNG):
    """`tandem build-image` with `tandem run`'s options, then QEMU booting the packed image
    (with a disk: on `cpu`, one with FEAT_RNG, and with its RAM in a file unless `ram_file` is
    False)."""

    def command(arch, cpus, boot):
        image = os.path.join(tmp, f"tandem-{arch}-{cpus}.img.elf")
        subprocess.run([tandem, "build-image", *boot_options(arch, cpus, boot),
                        *virtio_options(boot), "-o", image], check=True)
        cmd = image_qemu_command(arch, cpus)
        if "disk" in boot and arch == "aarch64":
            cmd[cmd.index("-cpu") + 1] = cpu
        if "disk" in boot and ram_file:
            # The packed disk lives in the machine's RAM: make that RAM a file the test reads
            # after the run.
            boot["ram_file"] = os.path.join(tmp, "ram")
            cmd[cmd.index("-M") + 1] += ",memory-backend=ram"
            cmd += ["-object",
                    f"memory-backend-file,id=ram,size=1G,mem-path={boot['ram_file']},share=on"]
        return cmd + ["-kernel", image]

    return command


def packed_disk(console, arch, boot, tmp):
    """The packed disk as the guest left it in the image's RAM (QEMU's RAM file), from where
    the image's `virtio-blk: ... in RAM at START-END` line says it lies; its path."""
    m = re.search(rb"virtio-blk: \d+ KiB disk in RAM at 0x([0-9a-f]+)-0x([0-9a-f]+)",
                  console.seen)
    if not m:
        console.fail("the image did not say where the disk lies")
    start, end = (int(g, 16) - RAM_BASE[arch] for g in m.groups())
    if end - start != os.path.getsize(boot["disk"]):
        console.fail(f"the image's disk is {end - start} bytes, the packed file "
                     f"{os.path.getsize(boot['disk'])}")
    disk = os.path.join(tmp, "disk-from-ram.img")
    with open(boot["ram_file"], "rb") as ram, open(disk, "wb") as out:
        ram.seek(start)
        out.write(ram.read(end - start))
    return disk


def image_qemu_command(arch, cpus):
    """QEMU for a bare-metal image (backends/baremetal/README.md): EL2 with a GICv3 on aarch64,
    HS-mode under OpenSBI on riscv64; RAM for the image, its payload and the guest's 512 MiB."""
    if arch == "aarch64":
        cmd = ["qemu-system-aarch64", "-M", "virt,virtualization=on,gic-version=3",
               "-cpu", "cortex-a57", "-semihosting"]
    else:
        cmd = ["qemu-system-riscv64", "-M", "virt", "-bios", "default"]
    return cmd + ["-smp", str(cpus), "-m", "1G", "-nographic", "-no-reboot", "-nic", "none"]


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


def write_script(path, text):
    """An executable shell script for the initramfs."""
    with open(path, "w") as f:
        f.write("#!/bin/sh\n" + text)
    os.chmod(path, 0o755)


def virtio_setup(args_arch, paths, boot, tmp, hwrng="wc -c"):
    """The virtio case's initramfs, ext4 disk and devices; the modules /init loads. /init
    reports `head -c 64 /dev/hwrng | <hwrng>`."""
    with open(os.path.join(os.path.dirname(paths["Image"]), "modules", "modules.builtin")) as f:
        builtin = f.read().split()
    rc = os.path.join(tmp, "rc.local")
    # Only Tandem's runs have a virtio console: a line out and a line in through it (hvc0 stays
    # open from the one to the other); then the same with hvc0 opened separately by a reader
    # (`cat`, open first) and a writer (`echo`). The writer starts only once the reader's
    # descriptors show /dev/hvc0 itself: a line that arrives while the writer alone holds hvc0
    # open is dropped at its close (devices/virtio/console.h), and the test types as soon as
    # the writer's line appears. (Matching "hvc0" alone also took cat's stdout, a file named
    # /tmp/hvc0, set up by the shell before cat opens hvc0: a hang under load.)
    write_script(rc, 'echo "tandem-init: blocks $(ls /sys/block)"\n'
                     'mkdir -p /mnt\n'
                     'if mount -t ext4 /dev/vda /mnt; then\n'
                     '  echo "tandem-init: hello $(cat /mnt/hello)"\n'
                     f'  echo "{NEW_FILE}" >/mnt/new\n'
                     '  umount /mnt && echo "tandem-init: umount ok"\n'
                     'fi\n'
                     f'echo "tandem-init: hwrng $(head -c 64 /dev/hwrng | {hwrng})"\n'
                     'f=""; for x in sve paca pacg; do\n'
                     '  grep -m1 ^Features /proc/cpuinfo | grep -qw $x && f="$f $x"\n'
                     'done; echo "tandem-init: cpu-features$f"\n'
                     'if [ -e /dev/hvc0 ]; then\n'
                     '  exec 3<>/dev/hvc0\n'
                     '  echo "tandem-hvc0: ready" >&3\n'
                     '  read -r line <&3\n'
                     '  echo "tandem-init: hvc0 read $line"\n'
                     '  exec 3<&-\n'
                     '  cat /dev/hvc0 >/tmp/typed &\n'
                     '  until ls -l /proc/$!/fd | grep -q " /dev/hvc0$"; do sleep 0.1; done\n'
                     '  echo "tandem-hvc0: again" >/dev/hvc0\n'
                     '  until grep -q . /tmp/typed; do sleep 0.1; done\n'
                     '  kill $!\n'
                     '  echo "tandem-init: hvc0 cat $(cat /tmp/typed)"\n'
                     'fi\n')
    modules = ["virtio_mmio", "virtio_blk", "virtio_rng"]
    if "kernel/drivers/char/virtio_console.ko" not in builtin:
        modules.append("virtio_console")
    # ext4 as a module asks for crc32c at mount time (a soft dependency modinfo does not list).
    for name, path in (("crc32c_generic", "kernel/crypto/crc32c_generic.ko"),
                       ("ext4", "kernel/fs/ext4/ext4.ko")):
        if path not in builtin:
            modules.append(name)
    boot["initrd"] = os.path.join(tmp, "initrd.gz")
    fetch(args_arch, "--initrd", boot["initrd"], *[a for m in modules for a in ("--module", m)],
          "--file", f"{rc}:/etc/rc.local")
    root = os.path.join(tmp, "root")
    os.mkdir(root)
    with open(os.path.join(root, "hello"), "w") as f:
        f.write(DISK_MARK + "\n")
    boot["disk"] = os.path.join(tmp, "disk.img")
    subprocess.run(["mke2fs", "-q", "-t", "ext4", "-d", root, boot["disk"], "8M"], check=True)
    return modules


def free_port():
    """A TCP port on the host's loopback that nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def web_server(tmp):
    """An HTTP server on the host's loopback serving WEB_PAGE as /page; its port."""
    # Imported here: bench/run imports this module inside the nested-KVM VM, whose Python has
    # no http package.
    import http.server  # pylint: disable=import-outside-toplevel
    root = os.path.join(tmp, "www")
    os.mkdir(root)
    with open(os.path.join(root, "page"), "w") as f:
        f.write(WEB_PAGE + "\n")

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                             functools.partial(Quiet, directory=root))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server.server_address[1]


def net_setup(args_arch, boot, tmp, forward=True):
    """The net case's initramfs and (with `forward`) forward; the modules /init loads."""
    web_port = web_server(tmp)
    if forward:
        boot["hostfwd"] = f"tcp:127.0.0.1:{free_port()}-:{GUEST_PORT}"
    script = os.path.join(tmp, "udhcpc.script")
    write_script(script, 'case "$1" in bound|renew)\n'
                         '  ifconfig "$interface" "$ip" netmask "$subnet" up\n'
                         '  route add default gw "$router" dev "$interface"\n'
                         '  echo "$ip" >/tmp/ip ;;\n'
                         'esac\n')
    rc = os.path.join(tmp, "rc.local")
    write_script(rc, 'ifconfig eth0 up\n'
                     'udhcpc -i eth0 -s /etc/udhcpc.script -q -n -t 10 >/dev/null 2>&1\n'
                     'echo "tandem-init: dhcp $(cat /tmp/ip)"\n'
                     f'echo "tandem-init: wget $(wget -q -O - http://10.0.2.2:{web_port}/page)"\n'
                     + (f'nc -l -p {GUEST_PORT} </dev/null >/tmp/got &\n'
                        'sleep 1\n'
                        'echo "tandem-init: listening"\n'
                        'wait\n'
                        'echo "tandem-init: forward $(cat /tmp/got)"\n' if forward else ''))
    modules = ["virtio_mmio", "virtio_net"]
    boot["initrd"] = os.path.join(tmp, "initrd.gz")
    fetch(args_arch, "--initrd", boot["initrd"], *[a for m in modules for a in ("--module", m)],
          "--file", f"{rc}:/etc/rc.local", "--file", f"{script}:/etc/udhcpc.script")
    return modules


def send_forwarded(console, hostfwd):
    """Sends FORWARDED through the host forward once the guest listens behind it."""
    console.expect(b"tandem-init: listening")
    port = int(hostfwd.split(":")[2].split("-")[0])
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=60) as s:
            s.sendall(FORWARDED.encode() + b"\n")
            s.shutdown(socket.SHUT_WR)
            while s.recv(4096):  # until the guest's nc closes its side
                pass
    except OSError as e:
        console.fail(f"host forward to 127.0.0.1:{port}: {e}")


def run_linux(args, command, tmp):
    paths = fetch(args.arch)
    boot = {"kernel": paths["Image"], "initrd": paths["initrd.gz"],
            "append": f"console={CONSOLE[args.arch]} panic=-1"}
    modules = []
    if args.case == "virtio":
        modules = virtio_setup(args.arch, paths, boot, tmp)
        # The riscv64 image has no entropy source for --rng (it refuses one).
        boot["rng"] = not (args.runner == "image" and args.arch == "riscv64")
    elif args.case == "net":
        modules = net_setup(args.arch, boot, tmp)
    with open(paths["release"]) as f:
        release = f.read().strip()
    console = Console(command(args.arch, args.cpus, boot), args.limit)
    console.expect(b"tandem-init: up")
    up = time.monotonic() - console.start  # reported, never judged: the machine may be loaded
    hvc0 = args.case == "virtio" and args.runner in ("emu", "image")
    if hvc0:
        # The first line is typed once the guest has gone idle waiting for it (2 s after its
        # prompt), the second as soon as the guest's line shows, while it is still busy: input
        # must reach the guest either way. (The riscv64 image took none in while its vCPU waited
        # out the guest's WFI itself, the guest's own timer armed: without the 2 s this failed
        # only now and then, under load.)
        console.expect(b"tandem-hvc0: ready")
        time.sleep(2)
        console.send(HVC0_INPUT + b"\n")
        console.expect(b"tandem-hvc0: again")
        console.send(HVC0_AGAIN + b"\n")
    if args.case == "net":
        send_forwarded(console, boot["hostfwd"])
    console.finish()
    lines = [l.strip() for l in console.seen.decode("utf-8", "replace").splitlines()]
    want = ["tandem-init: up", f"tandem-init: release {release}",
            f"tandem-init: cpus {args.cpus}"]
    want += [f"tandem-init: insmod {m} ok" for m in modules]
    if args.case == "virtio":
        want += ["tandem-init: blocks vda", f"tandem-init: hello {DISK_MARK}",
                 "tandem-init: umount ok", f"tandem-init: hwrng {64 if boot['rng'] else 0}"]
    cpu_max = args.case == "virtio" and args.runner == "image" and args.arch == "aarch64"
    if cpu_max:
        want.append(f"tandem-init: cpu-features {IMAGE_CPU_FEATURES}")
    if hvc0:
        want += [f"tandem-init: hvc0 read {HVC0_INPUT.decode()}",
                 f"tandem-init: hvc0 cat {HVC0_AGAIN.decode()}"]
    if args.case == "net":
        want += ["tandem-init: dhcp 10.0.2.15", f"tandem-init: wget {WEB_PAGE}",
                 f"tandem-init: forward {FORWARDED}"]
    want.append("tandem-init: poweroff")
    got = [l for l in lines if l.startswith("tandem-init:")]
    missing = [w for w in want if w not in got]
    if missing:
        console.fail(f"/init did not report {missing}")
    if cpu_max:
        if not any(l.endswith(IMAGE_SVE_LINE) for l in lines):  # after the kernel's time stamp
            console.fail(f"the guest's kernel did not say '{IMAGE_SVE_LINE}'")
        got.append(f"kernel: {IMAGE_SVE_LINE}")
    if args.case == "virtio":
        disk = boot["disk"]
        if args.runner == "image":
            # The file itself was only copied into the image: the guest's /new is not in it.
            if debugfs_cat(boot["disk"], "/new"):
                console.fail("the packed disk file changed: the image wrote to the host's file?")
            disk = packed_disk(console, args.arch, boot, tmp)
            got.append("host: " + re.search(rb"virtio-blk: [^\r\n]*", console.seen)
                       .group(0).decode() + ": taken from QEMU's RAM file")
        new = debugfs_cat(disk, "/new")
        if new.strip() != NEW_FILE:
            console.fail(f"the image's /new holds {new!r} after the run")
        got.append(f"host: debugfs cat /new: {new.strip()}")
    print("\n".join(got))
    print(f"/init ran {up:.2f} s after the start (wall time, this run)")


def debugfs_cat(disk, path):
    """The file `path` in the ext4 image `disk`, as debugfs reads it ("" when it is not there)."""
    return subprocess.run(["debugfs", "-R", f"cat {path}", disk], check=True,
                          stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True).stdout


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
    p.add_argument("--runner", choices=["qemu", "emu", "image"], required=True)
    p.add_argument("--tandem", help="the tandem program (emu and image runners)")
    p.add_argument("--arch", choices=["aarch64", "riscv64"], required=True)
    p.add_argument("--case", choices=["linux", "virtio", "net", "uboot"], required=True)
    p.add_argument("--cpus", type=int, default=1)
    p.add_argument("--limit", type=float, default=300)
    args = p.parse_args()
    if args.runner != "qemu" and not args.tandem:
        p.error(f"--runner {args.runner} needs --tandem")
    run = run_uboot if args.case == "uboot" else run_linux
    with tempfile.TemporaryDirectory() as tmp:
        command = {"qemu": lambda: qemu_command, "emu": lambda: tandem_command(args.tandem),
                   "image": lambda: image_command(args.tandem, tmp)}[args.runner]()
        run(args, command, tmp)
    print(f"{args.runner} {args.arch} {args.case} cpus={args.cpus}: ok")


if __name__ == "__main__":
    main()

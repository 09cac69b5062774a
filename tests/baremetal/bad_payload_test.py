#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Damaged or impossible payloads in a bare-metal image end the run with one clear panic line
and status 125, never a hang (backends/baremetal/common/payload.h, payload_parse.cpp), as
does a device the machine cannot back (--rng without a random number generator):

  bad_payload_test.py <arch> <tandem> <image.elf> <guest.elf>

Each case packs the guest with `tandem build-image`, then, for the damaged ones, rewrites
the packed payload in the file (another version, an initrd or a disk that runs past the
payload), and boots the result under QEMU. Exit 77 (ctest: skipped) when QEMU or a file is missing."""
import os
import shutil
import struct
import subprocess
import sys
import tempfile

MAGIC = struct.pack("<Q", 0x3144_4C50_4D44_4E54)  # "TNDMPLD1"
QEMU = {"aarch64": ["qemu-system-aarch64", "-M", "virt,virtualization=on,gic-version=3",
                    "-cpu", "cortex-a72", "-semihosting"],
        "riscv64": ["qemu-system-riscv64", "-M", "virt", "-bios", "default"]}
HEADER_VERSION, HEADER_VM_TABLE = 8, 40  # offsets in PayloadHeader
VM_PIECES, BLOB_SIZE = 32, 16  # PayloadVm.pieces, sizeof(PayloadBlob)
INITRD, DISK = 1, 5  # kPieceInitrd, kPieceDisk
# The one line an image prints for --rng on a CPU without a random number generator it uses
# (QEMU's cortex-a72 has no FEAT_RNG).
NO_RNG = {"aarch64": "this CPU has no random number generator (ID_AA64ISAR0_EL1.RNDR = 0",
          "riscv64": "the riscv64 image has no random number generator to use"}


def payload_offset(image):
    """File offset of the payload segment: the PT_LOAD whose bytes start with the magic."""
    phoff, = struct.unpack_from("<Q", image, 32)
    phentsize, phnum = struct.unpack_from("<HH", image, 54)
    for i in range(phnum):
        ptype, _, offset = struct.unpack_from("<IIQ", image, phoff + i * phentsize)
        if ptype == 1 and image[offset:offset + 8] == MAGIC:
            return offset
    sys.exit("FAIL: no payload segment in the packed image")


def wrong_version(image, at):
    struct.pack_into("<I", image, at + HEADER_VERSION, 2)


def past_the_end(piece):
    """A patch that makes `piece` run a page past the payload's end."""

    def patch(image, at):
        table, = struct.unpack_from("<Q", image, at + HEADER_VM_TABLE)
        blob = at + table + VM_PIECES + piece * BLOB_SIZE
        offset, size = struct.unpack_from("<QQ", image, blob)
        struct.pack_into("<QQ", image, blob, offset, size + 4096)

    return patch


def main():
    arch, tandem, image, guest = sys.argv[1:5]
    if shutil.which(QEMU[arch][0]) is None:
        print(f"SKIP: {QEMU[arch][0]} is not installed")
        sys.exit(77)
    for path in (image, guest):
        if not os.access(path, os.R_OK):
            print(f"SKIP: no {path} (the {arch} cross compiler builds it)")
            sys.exit(77)
    # (name, pack options, patch, the panic line's text)
    cases = [
        ("another version", [], wrong_version,
         "the payload area is damaged: the payload is of another version"),
        ("initrd outside the payload", [], past_the_end(INITRD),
         "the payload area is damaged: the initrd lies outside the payload"),
        ("disk outside the payload", ["--drive", "file=DISK"], past_the_end(DISK),
         "the payload area is damaged: the disk image lies outside the payload"),
        ("--rng without a random number generator", ["--rng"], None,
         "cannot start the guest: --rng: " + NO_RNG[arch]),
        ("initrd larger than guest RAM", ["--mem", "4M"], None,
         "cannot start the guest: initrd: out of range. the initrd does not fit in guest RAM"),
    ]
    failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        initrd = os.path.join(tmp, "initrd")
        with open(initrd, "wb") as f:
            f.write(b"\x5a" * (6 << 20))
        disk = os.path.join(tmp, "disk")
        with open(disk, "wb") as f:
            f.write(b"\xd1" * (64 << 10))
        for name, options, patch, want in cases:
            options = [o.replace("DISK", disk) for o in options]
            packed = os.path.join(tmp, "packed.elf")
            subprocess.run([tandem, "build-image", "--arch", arch, "--image", image, "--kernel",
                            guest, "--initrd", initrd, *options, "-o", packed], check=True)
            if patch is not None:
                with open(packed, "rb") as f:
                    data = bytearray(f.read())
                patch(data, payload_offset(data))
                with open(packed, "wb") as f:
                    f.write(data)
            try:
                run = subprocess.run(QEMU[arch] + ["-m", "256M", "-nographic", "-kernel", packed],
                                     stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, timeout=120)
            except subprocess.TimeoutExpired:
                print(f"FAIL: {name}: still running after 120 s")
                failed += 1
                continue
            out = run.stdout.decode("utf-8", "replace")
            panics = [l for l in out.splitlines() if l.startswith("tandem: panic: ")]
            if run.returncode != 125 or len(panics) != 1 or want not in panics[0]:
                print(out[-3000:])
                print(f"FAIL: {name}: status {run.returncode}, panic lines {panics}, want one "
                      f"with {want!r} and status 125")
                failed += 1
            else:
                print(f"{name}: {panics[0]} (status 125)")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()

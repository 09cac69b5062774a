#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""core/loader on the real binaries of scripts/fetch-guests:

  image_header_test.py <kernel_probe> <aarch64|riscv64>

The kernel must be detected as its architecture's Image with the text_offset and image_size its
header holds (read here independently, as booting.rst / boot-image-header.rst lay it out) and
placed where the virt board's QEMU puts it; U-Boot must be a raw binary placed at the board's
kernel address; each kernel must be refused for the other architecture.
"""
import os
import struct
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# RAM base, the kernel address the probe is given (QEMU's virt boards) and what QEMU loads there.
BOARD = {"aarch64": (0x40000000, 0x40200000), "riscv64": (0x80000000, 0x80200000)}
RAM_SIZE = 512 << 20


def probe(tool, arch, path):
    base, kernel_base = BOARD[arch]
    r = subprocess.run([tool, arch, path, hex(base), hex(RAM_SIZE), hex(kernel_base)],
                       stdout=subprocess.PIPE, text=True)
    return r.returncode, dict(l.split("=", 1) for l in r.stdout.splitlines())


def check(cond, what):
    if not cond:
        print(f"FAIL: {what}")
        sys.exit(1)


def main():
    tool, arch = sys.argv[1], sys.argv[2]
    out = subprocess.run([os.path.join(ROOT, "scripts", "fetch-guests"), "--arch", arch],
                         check=True, stdout=subprocess.PIPE, text=True).stdout
    paths = dict(l.split(" ", 1)[1].split(": ", 1) for l in out.splitlines())
    kernel, uboot = paths["Image"], paths["u-boot.bin"]

    with open(kernel, "rb") as f:
        head = f.read(64)
    text_offset, image_size = struct.unpack_from("<QQ", head, 8)
    rc, got = probe(tool, arch, kernel)
    print(f"{arch} Image: {got}")
    check(rc == 0, f"the kernel was refused: {got}")
    check(got["format"] == ("arm64 Image" if arch == "aarch64" else "RISC-V Image"), "format")
    check(int(got["text_offset"], 16) == text_offset, "text_offset differs from the header")
    check(int(got["size"], 16) == max(image_size, os.path.getsize(kernel)), "size")
    check(got["efi_stub"] == ("1" if head[:2] == b"MZ" else "0"), "EFI stub")
    # Where QEMU's virt board loads it: 0x40200000 (arm64, text_offset 0 above RAM + 2 MiB) and
    # 0x80200000 (riscv64).
    check(int(got["load"], 16) == BOARD[arch][1] + (text_offset if arch == "aarch64" else 0),
          "load address")

    rc, got = probe(tool, arch, uboot)
    print(f"{arch} u-boot.bin: {got}")
    check(rc == 0 and got["format"] == "raw binary", "U-Boot is not taken as a raw binary")
    check(int(got["load"], 16) == BOARD[arch][1], "U-Boot not at the board's kernel address")

    other = "riscv64" if arch == "aarch64" else "aarch64"
    rc, got = probe(tool, other, kernel)
    print(f"{arch} Image as {other}: {got}")
    check(rc == 1 and "another architecture" in got.get("error", ""), "wrong arch accepted")
    print("ok")


if __name__ == "__main__":
    main()

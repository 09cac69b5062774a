#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""The kvm tests where /dev/kvm cannot be opened: one QEMU VM with nested KVM runs them all.

    nested_vm.py --ctest CTEST --build-dir DIR --launcher kvm_case.sh --results DIR
                 --python PYTHON [--cpus 2] [--limit 290]

ctest's fixture `kvm_nested` (tests/CMakeLists.txt). It fetches Debian 12's amd64 cloud kernel
and busybox-static by package name (scripts/debfetch, cached in cache/) and puts the Linux
guest of linux_test.sh (the kernel, a busybox initrd, its release) in <build>/kvm-nested/linux.
Where /dev/kvm opens that is all: the kvm tests run on this host. Elsewhere it asks ctest for
every test whose command starts with the launcher (kvm_case.sh: the kvm unit tests, every kvm
integration test, chaos_kvm, the kvm idle-CPU test, Linux), builds an initramfs holding
busybox, the kernel's KVM modules, bash, this Python, and every file and folder the tests'
commands name with the shared libraries they load, and boots it under `qemu-system-x86_64
-accel tcg -cpu max` (TCG emulates AMD SVM with nested paging, so kvm_amd loads:
../shared/docs/KVM-NESTED.md). Inside, nested_runner.py runs each command and sends its output
and status back over a second serial port; they land in --results as <key>.out and
<key>.status, where kvm_case.sh finds them, so each test passes or fails on its own in ctest.
Exit status 0 when the VM reported every test (whatever their results), 1 when it did not, 77
(skip) without qemu-system-x86_64.
"""
import argparse
import hashlib
import json
import os
import re
import shutil
import stat
import struct
import subprocess
import sys
import sysconfig
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
KERNEL_PACKAGE = "linux-image-cloud-amd64"  # names the current linux-image-6.1.0-NN-cloud-amd64
KVM_MODULES = {"irqbypass": "virt/lib/irqbypass.ko", "kvm": "arch/x86/kvm/kvm.ko",
               "kvm-amd": "arch/x86/kvm/kvm-amd.ko"}
# Parts of the standard library no test imports (folders, and prefixes of compiled modules),
# left out to keep the initramfs small.
PYTHON_SKIP = ("test", "idlelib", "tkinter", "turtledemo", "lib2to3", "pydoc_data", "ensurepip",
               "distutils", "site-packages", "dist-packages", "config-3", "ctypes", "sqlite3",
               "curses", "dbm", "xml", "xmlrpc", "wsgiref", "venv", "unittest", "msilib", "email",
               "http", "asyncio", "multiprocessing", "tomllib", "_tkinter", "_sqlite3", "_ssl",
               "_hashlib", "_curses", "readline", "_dbm", "_gdbm", "_ctypes", "_test", "xxlimited",
               "nis", "ossaudiodev", "audioop", "_codecs_", "_decimal", "_uuid", "_xx", "_lzma",
               "_bz2", "_elementtree", "pyexpat", "_crypt", "spwd", "_multibytecodec", "_lsprof",
               "_asyncio", "_zoneinfo", "_multiprocessing", "_posixshmem")


def kvm_usable():
    try:
        if not stat.S_ISCHR(os.stat("/dev/kvm").st_mode):
            return False
        os.close(os.open("/dev/kvm", os.O_RDWR))
        return True
    except OSError:
        return False


def key_of(command):
    """kvm_case.sh's key: the SHA-1 of the arguments, each followed by a NUL byte."""
    return hashlib.sha1(b"".join(a.encode() + b"\0" for a in command)).hexdigest()


def kvm_tests(args):
    """Every ctest test that runs through the launcher, with what it needs to run elsewhere."""
    out = subprocess.run([args.ctest, "--test-dir", args.build_dir, "--show-only=json-v1"],
                         check=True, capture_output=True, text=True).stdout
    launcher = os.path.realpath(args.launcher)
    python = os.path.realpath(sys.executable)
    tests = []
    for t in json.loads(out)["tests"]:
        command = t.get("command") or []
        if not command or os.path.realpath(command[0]) != launcher:
            continue
        props = {p["name"]: p["value"] for p in t.get("properties", [])}
        # The tests' Python may be a wrapper (a pyenv shim): inside, the interpreter itself.
        run = [python if a == args.python else a for a in command[1:]]
        env = [e for e in props.get("ENVIRONMENT", []) if not e.startswith("TANDEM_KVM_RESULTS=")]
        tests.append({"name": t["name"], "key": key_of(command[1:]), "command": run,
                      "environment": env, "cwd": props.get("WORKING_DIRECTORY", args.build_dir),
                      "timeout": float(props.get("TIMEOUT", 300)),
                      "serial": bool(props.get("RUN_SERIAL", False))})
    return tests


def debfetch(*argv):
    return subprocess.run([os.path.join(ROOT, "scripts", "debfetch"), *argv], check=True,
                          capture_output=True, text=True).stdout


def fetch_kernel(cache):
    """Debian 12's amd64 cloud kernel and busybox-static, unpacked into `cache`."""
    package = debfetch("--depends", KERNEL_PACKAGE).split()[0]
    debfetch("--into", cache, package, "busybox-static")
    release = package.removeprefix("linux-image-")
    return (os.path.join(cache, "boot", f"vmlinuz-{release}"),
            os.path.join(cache, "lib", "modules", release, "kernel"), release)


class Initramfs:
    """A folder that becomes a newc cpio: files keep their absolute paths."""

    def __init__(self, root, have=frozenset()):
        shutil.rmtree(root, ignore_errors=True)
        os.makedirs(root)
        self.root = root
        self.have = have  # paths an earlier archive of the same initramfs holds
        self.libs_done = set()

    def dest(self, path):
        return os.path.join(self.root, path.lstrip("/"))

    def add_file(self, path, dest=None):
        target = self.dest(dest or path)
        if (dest or path) in self.have or os.path.exists(target):
            return
        os.makedirs(os.path.dirname(target), exist_ok=True)
        if is_host_program(path):
            # Debug information is most of a RelWithDebInfo program; nothing in there reads it.
            subprocess.run(["strip", "--strip-debug", "-o", target, os.path.realpath(path)],
                           check=True)
            self.add_libs(path)
        else:
            shutil.copy2(os.path.realpath(path), target)

    def add_tree(self, path, skip=()):
        for top, dirs, files in os.walk(path):
            dirs[:] = [d for d in dirs if not d.startswith(skip)]
            for f in files:
                full = os.path.join(top, f)
                # Compiled Python modules: one optimisation level is enough.
                if f.startswith(skip) or ".opt-" in f or not os.path.isfile(full):
                    continue
                self.add_file(full)

    def add_libs(self, path):
        """The shared libraries `ldd` says the program loads, the dynamic loader included."""
        if path in self.libs_done:
            return
        self.libs_done.add(path)
        out = subprocess.run(["ldd", path], capture_output=True, text=True).stdout
        for line in out.splitlines():
            words = line.split()
            lib = words[2] if len(words) > 2 and words[1] == "=>" else words[0] if words else ""
            if lib.startswith("/"):
                self.add_file(lib)

    def write_text(self, dest, text, mode=0o644):
        target = self.dest(dest)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(target, "w") as f:
            f.write(text)
        os.chmod(target, mode)

    def pack(self, out):
        """Writes the newc archive; returns the absolute paths of the files in it."""
        names = subprocess.run(["find", ".", "-mindepth", "1"], cwd=self.root, check=True,
                               capture_output=True, text=True).stdout
        with open(out, "wb") as f:
            subprocess.run(["cpio", "--quiet", "-o", "-H", "newc", "-R", "0:0"], cwd=self.root,
                           input=names.encode(), stdout=f, check=True)
        return [n[1:] for n in names.splitlines()]


def is_host_program(path):
    """A dynamically linked x86-64 ELF (a program with an interpreter, or a shared library),
    not a guest image."""
    try:
        with open(path, "rb") as f:
            head = f.read(64)
            if len(head) < 64 or head[:5] != b"\x7fELF\x02":
                return False
            etype, machine = struct.unpack_from("<HH", head, 16)
            phoff, = struct.unpack_from("<Q", head, 32)
            phentsize, phnum = struct.unpack_from("<HH", head, 54)
            if machine != 62:
                return False
            if etype == 3:
                return True
            f.seek(phoff)
            table = f.read(phentsize * phnum)
            return any(struct.unpack_from("<I", table, i * phentsize)[0] == 3  # PT_INTERP
                       for i in range(len(table) // max(phentsize, 1)))
    except (OSError, struct.error):
        return False


def base_image(kernel_modules, release, busybox, work):
    """The part of the initramfs that stays the same from run to run (busybox, the KVM modules,
    bash, Python and its standard library), built once per kernel and Python: finding and
    stripping Python's libraries takes half a minute on a loaded machine, packing a second.
    Returns the archive and the paths it holds."""
    python = os.path.realpath(sys.executable)
    bash = os.path.realpath(shutil.which("bash"))
    what = [release, python, bash, busybox]
    stamp = " ".join(what + [str(os.stat(p).st_mtime_ns) for p in what[1:]])
    image = os.path.join(work, f"base-{hashlib.sha1(stamp.encode()).hexdigest()[:12]}.cpio")
    listing = image + ".files"
    if os.path.exists(image) and os.path.exists(listing):
        with open(listing) as f:
            return image, frozenset(f.read().splitlines())
    for old in os.listdir(work):
        if old.startswith("base-"):
            os.remove(os.path.join(work, old))
    rd = Initramfs(os.path.join(work, "base-root"))
    rd.add_file(busybox, "/bin/busybox")
    for name, rel in KVM_MODULES.items():
        rd.add_file(os.path.join(kernel_modules, rel), f"/nested/modules/{name}.ko")
    rd.add_file(bash, "/bin/bash")
    rd.add_file(python)
    rd.write_text("/nested/python", python + "\n")
    paths = sysconfig.get_paths()
    rd.add_tree(paths["stdlib"], skip=PYTHON_SKIP)
    if paths["platstdlib"] != paths["stdlib"]:
        rd.add_tree(paths["platstdlib"], skip=PYTHON_SKIP)
    files = rd.pack(image + ".tmp")
    shutil.rmtree(rd.root)
    with open(listing, "w") as f:
        f.write("\n".join(files) + "\n")
    os.rename(image + ".tmp", image)
    return image, frozenset(files)


def prepare_linux(kernel, release, busybox, work):
    """The Linux guest of linux_test.sh in <work>/linux: the kernel, an initrd with busybox and
    linux_init.sh as /init, and the kernel's release."""
    out = os.path.join(work, "linux")
    os.makedirs(out, exist_ok=True)
    shutil.copyfile(kernel, os.path.join(out, "bzImage"))
    rd = Initramfs(os.path.join(work, "linux-root"))
    rd.add_file(busybox, "/bin/busybox")
    rd.add_file(os.path.join(HERE, "linux_init.sh"), "/init")
    os.chmod(rd.dest("/init"), 0o755)
    rd.pack(os.path.join(out, "initrd"))
    shutil.rmtree(rd.root)
    with open(os.path.join(out, "release"), "w") as f:
        f.write(release + "\n")


def build_initramfs(tests, kernel_modules, release, busybox, work):
    """Two newc archives one after the other (the kernel unpacks both): the cached base, then
    the init, the runner, the manifest and every file or folder a test's command or environment
    names (programs, scripts, guests, expected output) at the same path, with the libraries of
    each program."""
    os.makedirs(work, exist_ok=True)
    base, have = base_image(kernel_modules, release, busybox, work)
    rd = Initramfs(os.path.join(work, "root"), have)
    rd.add_file(os.path.join(HERE, "nested_init.sh"), "/init")
    os.chmod(rd.dest("/init"), 0o755)
    rd.add_file(os.path.join(HERE, "nested_runner.py"), "/nested/runner.py")
    for t in tests:
        for word in t["command"] + [e.partition("=")[2] for e in t["environment"]]:
            if not word.startswith("/") or not os.path.exists(word):
                continue
            if os.path.isdir(word):
                rd.add_tree(word)
            else:
                rd.add_file(word)
    rd.write_text("/nested/manifest.json", json.dumps(tests, indent=1))
    own = os.path.join(work, "tests.cpio")
    rd.pack(own)
    image = os.path.join(work, "initramfs.cpio")
    with open(image, "wb") as out:
        for part in (base, own):
            with open(part, "rb") as f:
                shutil.copyfileobj(f, out)
    return image


def run_vm(args, kernel, initrd, work):
    port = os.path.join(work, "results.jsonl")
    if os.path.exists(port):
        os.remove(port)
    qemu = ["qemu-system-x86_64", "-accel", "tcg,thread=single", "-cpu", "max", "-smp", str(args.cpus),
            "-m", "2G", "-nographic", "-no-reboot", "-kernel", kernel, "-initrd", initrd,
            "-append", "console=ttyS0 panic=-1 quiet", "-serial", "mon:stdio",
            "-serial", f"file:{port}"]
    print("nested: " + " ".join(qemu), flush=True)
    try:
        proc = subprocess.run(qemu, stdin=subprocess.DEVNULL, timeout=args.limit)
        ended = f"QEMU exited with status {proc.returncode}"
    except subprocess.TimeoutExpired:
        ended = f"the VM was still running after {args.limit} s and was stopped"
    return port, ended


def collect(port, tests, results):
    by_key = {t["key"]: t for t in tests}
    done = None
    reported = set()
    if os.path.exists(port):
        with open(port, encoding="utf-8", errors="replace") as f:
            for line in f:
                line = line.strip()
                if not line:
                    continue
                try:
                    r = json.loads(line)
                except json.JSONDecodeError:
                    print(f"nested: unreadable result line: {line[:120]}")
                    continue
                if "done" in r:
                    done = r["done"]
                elif r.get("key") in by_key:
                    with open(os.path.join(results, r["key"] + ".out"), "w") as out:
                        out.write(r["output"])
                    with open(os.path.join(results, r["key"] + ".status"), "w") as out:
                        out.write(f"{r['status']}\n")
                    reported.add(r["key"])
    missing = [t["name"] for t in tests if t["key"] not in reported]
    return done, missing


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--ctest", required=True)
    ap.add_argument("--build-dir", required=True)
    ap.add_argument("--launcher", required=True)
    ap.add_argument("--results", required=True)
    ap.add_argument("--python", required=True, help="the Python the tests' commands name")
    ap.add_argument("--cpus", type=int, default=2)
    ap.add_argument("--limit", type=float, default=290, help="seconds the VM may run")
    ap.add_argument("--only", help="run only the tests whose name matches this regex")
    args = ap.parse_args()
    start = time.monotonic()
    shutil.rmtree(args.results, ignore_errors=True)
    os.makedirs(args.results)
    work = os.path.join(args.build_dir, "kvm-nested")
    os.makedirs(work, exist_ok=True)
    cache = os.path.join(os.environ.get("TANDEM_CACHE", os.path.join(ROOT, "cache")),
                         "nested-kvm")
    direct = kvm_usable()
    try:
        kernel, modules, release = fetch_kernel(cache)
        busybox = os.path.join(cache, "bin", "busybox")
        prepare_linux(kernel, release, busybox, work)
    except subprocess.CalledProcessError as e:
        print(f"{'WARNING' if direct else 'FAIL'}: cannot fetch the Debian kernel and busybox:\n"
              f"{e.stderr}", file=sys.stderr)
        if not direct:
            return 1
    if direct:
        print("direct: /dev/kvm opens on this host, so the kvm tests run here")
        return 0
    if shutil.which("qemu-system-x86_64") is None:
        reason = "qemu-system-x86_64 is not installed (scripts/setup installs it)"
        with open(os.path.join(args.results, "SKIPPED"), "w") as f:
            f.write(reason + "\n")
        print("SKIP: " + reason)
        return 77
    tests = [t for t in kvm_tests(args) if not args.only or re.search(args.only, t["name"])]
    initrd = build_initramfs(tests, modules, release, busybox, work)
    print(f"nested: {len(tests)} kvm tests, kernel {release}, initramfs "
          f"{os.path.getsize(initrd) >> 20} MiB, ready after {time.monotonic() - start:.1f} s",
          flush=True)
    port, ended = run_vm(args, kernel, initrd, work)
    done, missing = collect(port, tests, args.results)
    if missing:
        # QEMU's TCG has frozen the whole nested VM on a loaded host (KVM-NESTED notes: with
        # multi-threaded TCG, and once since with single-threaded TCG at load 12+). Boot once
        # more for the tests that never reported; a test that really hangs fails again.
        again = [t for t in tests if t["name"] in missing]
        print(f"nested: {ended}; {len(again)} tests did not report, booting the VM again for "
              "them", flush=True)
        initrd = build_initramfs(again, modules, release, busybox, work)
        port, ended = run_vm(args, kernel, initrd, work)
        done_again, missing = collect(port, again, args.results)
        done = len(tests) - len(again) + done_again if done_again is not None else None
    wall = time.monotonic() - start
    print(f"nested: {ended}; {len(tests) - len(missing)} of {len(tests)} results in {wall:.1f} s")
    if missing or done != len(tests):
        print("FAIL: the nested VM did not report: " + ", ".join(missing), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

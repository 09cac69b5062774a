#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""The nested-KVM VM's parts, shared by the kvm tests (nested_vm.py) and bench/run's
"kvm (nested)" rows: Debian's amd64 cloud kernel and busybox-static by package name, the
initramfs (a cached base with busybox, the KVM modules, bash and Python, then the programs and
files of one run), the Linux guest of linux_test.sh, and one boot of the VM under
`qemu-system-x86_64 -accel tcg` (../shared/docs/KVM-NESTED.md). Inside, nested_init.sh loads
KVM and runs nested_runner.py on a manifest of commands; each command's output and status come
back as one JSON line on the VM's second serial port."""
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

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
KERNEL_PACKAGE = "linux-image-cloud-amd64"  # names the current linux-image-6.1.0-NN-cloud-amd64
KVM_MODULES = {"irqbypass": "virt/lib/irqbypass.ko", "kvm": "arch/x86/kvm/kvm.ko",
               "kvm-amd": "arch/x86/kvm/kvm-amd.ko"}
# The virtio guest's modules (linux_test.sh's virtio case), each after those its .modinfo `depends=`
# names; ext4 and crc32c are built into the cloud kernel.
VIRTIO_MODULES = {"virtio": "drivers/virtio/virtio.ko", "virtio_ring": "drivers/virtio/virtio_ring.ko",
                  "virtio_mmio": "drivers/virtio/virtio_mmio.ko",
                  "virtio_blk": "drivers/block/virtio_blk.ko",
                  "virtio-rng": "drivers/char/hw_random/virtio-rng.ko",
                  "virtio_console": "drivers/char/virtio_console.ko"}
# The network guest's modules (linux_net_test.py), in the same order.
NET_MODULES = {"virtio": "drivers/virtio/virtio.ko", "virtio_ring": "drivers/virtio/virtio_ring.ko",
               "virtio_mmio": "drivers/virtio/virtio_mmio.ko", "failover": "net/core/failover.ko",
               "net_failover": "drivers/net/net_failover.ko",
               "virtio_net": "drivers/net/virtio_net.ko"}
DISK_MARK = "TANDEM-KVM-DISK-7e3a15"
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
                self.add_embedded_stdlib(lib)

    def add_embedded_stdlib(self, lib):
        """A program that embeds Python (gdb loads libpython3.11) cannot start without that
        Python's standard library: Py_Initialize fails on `encodings`. It lies beside the
        library's folder (Debian: /usr/lib/python3.11 for /usr/lib/x86_64-linux-gnu)."""
        m = re.match(r"libpython(\d+\.\d+)", os.path.basename(lib))
        if not m:
            return
        real = os.path.dirname(os.path.realpath(lib))
        for top in (real, os.path.dirname(real)):
            stdlib = os.path.join(top, "python" + m.group(1))
            if os.path.isfile(os.path.join(stdlib, "encodings", "__init__.py")):
                self.add_tree(stdlib, skip=PYTHON_SKIP)
                return

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


def prepare_guest(kernel, release, busybox, work, name, init, modules=None):
    """A Linux guest in <work>/<name>: the kernel, an initrd with busybox, `init` (a file here)
    as /init and the `modules` {name: path} as /modules/<name>.ko, listed in load order in
    /modules/order, and the kernel's release. Returns the folder."""
    out = os.path.join(work, name)
    os.makedirs(out, exist_ok=True)
    shutil.copyfile(kernel, os.path.join(out, "bzImage"))
    rd = Initramfs(os.path.join(work, name + "-root"))
    rd.add_file(busybox, "/bin/busybox")
    rd.add_file(os.path.join(HERE, init), "/init")
    os.chmod(rd.dest("/init"), 0o755)
    if modules:
        for module, path in modules.items():
            rd.add_file(path, f"/modules/{module}.ko")
        rd.write_text("/modules/order", "".join(m + "\n" for m in modules))
    rd.pack(os.path.join(out, "initrd"))
    shutil.rmtree(rd.root)
    with open(os.path.join(out, "release"), "w") as f:
        f.write(release + "\n")
    return out


def prepare_linux(kernel, release, busybox, work):
    """The Linux guest of linux_test.sh in <work>/linux: linux_init.sh as /init."""
    prepare_guest(kernel, release, busybox, work, "linux", "linux_init.sh")


def prepare_linux_virtio(kernel, kernel_modules, release, busybox, work):
    """The virtio guest of linux_test.sh in <work>/linux-virtio: linux_virtio_init.sh as /init,
    the virtio modules, an 8 MiB ext4 disk made with `mke2fs -d` holding /hello, and what the
    test checks against (`mark`, /hello's line; `modules`, one name a line)."""
    modules = {m: os.path.join(kernel_modules, rel) for m, rel in VIRTIO_MODULES.items()}
    out = prepare_guest(kernel, release, busybox, work, "linux-virtio", "linux_virtio_init.sh",
                        modules)
    files = os.path.join(work, "linux-virtio-disk")
    shutil.rmtree(files, ignore_errors=True)
    os.makedirs(files)
    with open(os.path.join(files, "hello"), "w") as f:
        f.write(DISK_MARK + "\n")
    disk = os.path.join(out, "disk.img")
    if os.path.exists(disk):
        os.remove(disk)
    subprocess.run(["mke2fs", "-q", "-t", "ext4", "-d", files, disk, "8M"], check=True)
    shutil.rmtree(files)
    for name, text in (("mark", DISK_MARK), ("modules", "\n".join(VIRTIO_MODULES))):
        with open(os.path.join(out, name), "w") as f:
            f.write(text + "\n")


def prepare_linux_net(kernel, kernel_modules, release, busybox, work):
    """The network guest of linux_net_test.py in <work>/linux-net: linux_net_init.sh as /init,
    virtio_net and what it depends on, and `modules`, one name a line."""
    modules = {m: os.path.join(kernel_modules, rel) for m, rel in NET_MODULES.items()}
    out = prepare_guest(kernel, release, busybox, work, "linux-net", "linux_net_init.sh", modules)
    with open(os.path.join(out, "modules"), "w") as f:
        f.write("\n".join(NET_MODULES) + "\n")


def kvm_usable():
    """Whether /dev/kvm is a character device that opens here."""
    try:
        if not stat.S_ISCHR(os.stat("/dev/kvm").st_mode):
            return False
        os.close(os.open("/dev/kvm", os.O_RDWR))
        return True
    except OSError:
        return False


def nested_cache():
    return os.path.join(os.environ.get("TANDEM_CACHE", os.path.join(ROOT, "cache")), "nested-kvm")


def run_image(files, manifest, base, work):
    """The initramfs of one run: `base`'s archive, then /init, the runner, `manifest` (the
    commands nested_runner.py runs) and every path in `files` (files and folders, at the same
    path, programs with their libraries). Returns the image's path."""
    base_archive, have = base
    rd = Initramfs(os.path.join(work, "root"), have)
    rd.add_file(os.path.join(HERE, "nested_init.sh"), "/init")
    os.chmod(rd.dest("/init"), 0o755)
    rd.add_file(os.path.join(HERE, "nested_runner.py"), "/nested/runner.py")
    for path in files:
        if os.path.isdir(path):
            rd.add_tree(path)
        else:
            rd.add_file(path)
    rd.write_text("/nested/manifest.json", json.dumps(manifest, indent=1))
    own = os.path.join(work, "run.cpio")
    rd.pack(own)
    shutil.rmtree(rd.root)
    image = os.path.join(work, "initramfs.cpio")
    with open(image, "wb") as out:
        for part in (base_archive, own):
            with open(part, "rb") as f:
                shutil.copyfileobj(f, out)
    return image


def boot(kernel, initrd, work, cpus, limit, console=None):
    """Boots the VM once; returns the result port (a file) and how the VM ended. The console
    goes to `console` (a file object) or to this process's stdout."""
    port = os.path.join(work, "results.jsonl")
    if os.path.exists(port):
        os.remove(port)
    qemu = ["qemu-system-x86_64", "-accel", "tcg,thread=single", "-cpu", "max", "-smp", str(cpus),
            "-m", "2G", "-nographic", "-no-reboot", "-kernel", kernel, "-initrd", initrd,
            "-append", "console=ttyS0 panic=-1 quiet", "-serial", "mon:stdio",
            "-serial", f"file:{port}"]
    print("nested: " + " ".join(qemu), file=console or sys.stdout, flush=True)
    try:
        proc = subprocess.run(qemu, stdin=subprocess.DEVNULL, stdout=console, timeout=limit)
        ended = f"QEMU exited with status {proc.returncode}"
    except subprocess.TimeoutExpired:
        ended = f"the VM was still running after {limit} s and was stopped"
    return port, ended


def results(port):
    """The JSON lines on the result port: ({key: result}, N of the final {"done": N} or None)."""
    done, by_key = None, {}
    if not os.path.exists(port):
        return by_key, done
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
            elif "key" in r:
                by_key[r["key"]] = r
    return by_key, done

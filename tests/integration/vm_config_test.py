#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# VM config files (`tandem run vm.toml`):
#   vm_config_test.py <tandem> <guests-dir> <expected-dir>
# - Axvisor's own configs (configs/axvisor-*.toml: its QEMU virt examples for aarch64 and
#   riscv64, same sections, keys and value shapes) load and run our hello guest; every key
#   Tandem does not honour is reported with the file, line and key, and nothing else is;
# - a Tandem config ([tandem] keys) runs each of our guests with the output and status the
#   command line gives (expected/<arch>/<guest>.{out,status});
# - command-line options replace the config's;
# - errors (bad TOML, unknown section or key, wrong type, an option's own check, a key given
#   twice) name the file, line and key, and the status is 2;
# - every `tandem run` option has a config key and every key an option (`tandem config-keys`
#   against `tandem run --help`).
import os
import re
import subprocess
import sys
import tempfile

tandem, guests, expected = sys.argv[1:4]
here = os.path.dirname(os.path.abspath(__file__))
failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


def run(args, timeout=120):
    p = subprocess.run([tandem, "run", *args], stdin=subprocess.DEVNULL, capture_output=True,
                       text=True, timeout=timeout)
    return p.returncode, p.stdout, p.stderr


def line_of(text, key):
    for n, line in enumerate(text.splitlines(), 1):
        if re.match(r"\s*" + re.escape(key) + r"\s*=", line):
            return n
    raise KeyError(key)


tmp = tempfile.mkdtemp()


def write(name, text):
    path = os.path.join(tmp, name)
    with open(path, "w") as f:
        f.write(text)
    return path


def want(arch, guest):
    with open(os.path.join(expected, arch, guest + ".out")) as f:
        out = f.read()
    with open(os.path.join(expected, arch, guest + ".status")) as f:
        status = f.read().strip()
    return out, 125 if status == "fault" else int(status)


# Axvisor's configs.
unsupported = {
    "aarch64": [("base", "id"), ("base", "vm_type"), ("base", "phys_cpu_sets"),
                ("kernel", "entry_point"), ("kernel", "image_location"),
                ("kernel", "kernel_load_addr"), ("kernel", "dtb_load_addr"),
                ("devices", "passthrough_devices"), ("devices", "emu_devices"),
                ("devices", "interrupt_mode")],
    "riscv64": [("base", "id"), ("base", "vm_type"), ("base", "phys_cpu_ids"),
                ("kernel", "entry_point"), ("kernel", "image_location"),
                ("kernel", "kernel_load_addr"), ("kernel", "dtb_load_addr"),
                ("devices", "passthrough_addresses"), ("devices", "emu_devices"),
                ("devices", "interrupt_mode")],
}
for arch, keys in unsupported.items():
    if not os.path.exists(os.path.join(guests, arch, "hello.elf")):
        continue
    with open(os.path.join(here, "configs", "axvisor-%s.toml" % arch)) as f:
        text = f.read().replace("@GUESTS@", guests)
    path = write("axvisor-%s.toml" % arch, text)
    status, out, err = run([path])
    check(status == 0 and out == want(arch, "hello")[0],
          "%s: Axvisor's config runs hello (status %d, output %r)" % (arch, status, out))
    warnings = [l for l in err.splitlines() if ": warning: " in l]
    for section, key in keys:
        line = line_of(text, key)
        prefix = "%s:%d: [%s] %s: warning: not supported, ignored: " % (path, line, section, key)
        check(any(l.startswith(prefix) for l in warnings),
              "%s: %s.%s reported at line %d" % (arch, section, key, line))
    # memory_regions: its size is used; base, and for aarch64 map_type 1, are reported.
    mr = line_of(text, "memory_regions")
    check(any(l.startswith("%s:%d: [kernel] memory_regions: warning: the region's base" %
                           (path, mr + 1)) for l in warnings),
          "%s: memory_regions base reported at line %d" % (arch, mr + 1))
    extra = 1 if arch == "aarch64" else 0  # map_type 1 (MAP_IDENTICAL)
    check(len(warnings) == len(keys) + 1 + extra,
          "%s: exactly the unsupported keys are reported (%d warnings)" % (arch, len(warnings)))
    # Its RAM size is memory_regions' 128 MiB: a smaller one shows in the guest's device tree.
    small = write("axvisor-%s-small.toml" % arch,
                  text.replace("0x800_0000, 0x7", "0x10_0000, 0x7"))
    status, _, err = run(["--dump-dtb", os.path.join(tmp, "small.dtb"), small])
    dtb = open(os.path.join(tmp, "small.dtb"), "rb").read() if status == 0 else b""
    check(status == 0 and (b"\x00\x10\x00\x00" in dtb),
          "%s: memory_regions' size (1 MiB) is the guest's RAM" % arch)

# A Tandem config runs each guest as the command line does.
cases = [("hello", {}), ("exitcode", {}), ("mmio", {}), ("fault", {}), ("timer", {}),
         ("smp", {"cpus": 2})]
for arch in ("aarch64", "riscv64", "x86_64"):
    for guest, extra in cases:
        elf = os.path.join(guests, arch, guest + ".elf")
        name = guest if guest != "smp" else "smp_2"
        if not os.path.exists(elf) or not os.path.exists(os.path.join(expected, arch,
                                                                      name + ".out")):
            continue
        if arch == "x86_64" and guest in ("timer", "smp"):
            continue  # no interrupts on emu x86
        body = '[tandem]\nguest = "%s"\nbackend = "emu"\nname = "%s"\n' % (elf, guest)
        body += "".join("%s = %s\n" % (k, v) for k, v in extra.items())
        path = write("%s-%s.toml" % (arch, guest), body)
        status, out, err = run([path])
        want_out, want_status = want(arch, name)
        if want_status == 125:
            out_ok = want_out.startswith(out) or out.startswith(want_out)
        else:
            out_ok = out == want_out
        check(status == want_status and out_ok,
              "%s %s from a config: status %d (want %d)" % (arch, name, status, want_status))

# The command line's options replace the config's.
elf = os.path.join(guests, "aarch64", "smp.elf")
if os.path.exists(elf):
    path = write("override.toml", '[tandem]\nguest = "%s"\ncpus = 4\n' % elf)
    status, out, _ = run(["--cpus", "2", path])
    check(status == 0 and out == want("aarch64", "smp_2")[0], "--cpus 2 replaces cpus = 4")
    status, out, _ = run([path])
    check(status == 0 and out == want("aarch64", "smp_4")[0], "cpus = 4 from the config")

# `kernel` (--kernel) names the image as well as `guest` does.
path = write("kernel.toml", '[tandem]\nkernel = "%s"\n' % os.path.join(guests, "aarch64",
                                                                        "hello.elf"))
status, out, err = run([path])
check(status == 0 and out == want("aarch64", "hello")[0], "kernel = names the image (%s)" % err)

# Errors name the file, line and key.
hello = os.path.join(guests, "aarch64", "hello.elf")
errors = [
    ('[tandem]\nguest = "%s"\ncolour = "blue"\n' % hello, r":3: \[tandem\] colour: error: unknown key"),
    ('[tandem]\nguest = "%s"\n[network]\nmode = 1\n' % hello, r":4: \[network\] mode: error: unknown section"),
    ('[tandem]\nguest = "%s"\ncpus = "two"\n' % hello, r":3: \[tandem\] cpus: error: expected an integer"),
    ('[tandem]\nguest = "%s"\n\ncpus = 9\n' % hello, r":4: \[tandem\] cpus: error: --cpus: Value 9 not in range"),
    ('[tandem]\nguest = "%s"\nmem = "12X"\n' % hello, r":3: \[tandem\] mem: error: --mem '12X' is not a size"),
    ('[base]\nname = "a"\n[tandem]\nguest = "%s"\nname = "b"\n' % hello,
     r":5: \[tandem\] name: error: sets --name again \(first at .*:2: \[base\] name\)"),
    ('[kernel]\nmemory_regions = [[0x4000_0000, 0x100_0000, 7, 0], [0, 1, 7, 0]]\n',
     r":2: \[kernel\] memory_regions: error: Tandem gives a VM one RAM region"),
    ('[tandem]\nguest = "%s"\ncpus = \n' % hello, r":3:\d+: error: "),
]
for i, (body, pattern) in enumerate(errors):
    path = write("bad%d.toml" % i, body)
    status, out, err = run([path])
    check(status == 2 and re.search(re.escape(path) + pattern, err) is not None,
          "error %d reported as %r (status %d, stderr %r)" % (i, pattern, status, err[-300:]))

# The GDB stub's keys reach its options: wait_gdb alone is refused as --wait-gdb alone is, and
# gdb in one of two VMs is refused (the stub debugs the only VM of a run) before anything runs.
path = write("waitgdb.toml", '[tandem]\nguest = "%s"\nwait_gdb = true\n' % hello)
status, _, err = run([path])
check(status == 2 and "--wait-gdb needs --gdb" in err,
      "wait_gdb = true without gdb (status %d, stderr %r)" % (status, err[-300:]))
sock = os.path.join(tmp, "never.sock")
debugged = write("gdb.toml", '[tandem]\nguest = "%s"\ngdb = "unix:%s"\n' % (hello, sock))
other = write("other.toml", '[tandem]\nguest = "%s"\nname = "other"\n' % hello)
status, out, err = run([debugged, other])
check(status == 2 and "the GDB stub debugs the only VM of a run; this run has several VMs" in err
      and out == "" and not os.path.exists(sock),
      "gdb in one of two VMs (status %d, stderr %r)" % (status, err[-300:]))

# Every `tandem run` option has a key, and every key an option.
help_text = subprocess.run([tandem, "run", "--help"], capture_output=True, text=True).stdout
options = set(re.findall(r"^\s+(?:-\w,)?(--[a-z][a-z0-9-]*)", help_text, re.M)) - {"--help"}
keys = subprocess.run([tandem, "config-keys"], capture_output=True, text=True).stdout
keyed = {line.split()[0] for line in keys.splitlines() if line.startswith("--")}
check(len(options) > 10, "`tandem run --help` lists %d options" % len(options))
check(options - keyed == set(), "options without a config key: %s" % sorted(options - keyed))
check(keyed - options == set(), "config keys without an option: %s" % sorted(keyed - options))

print("%d failure(s)" % len(failures))
sys.exit(1 if failures else 0)

#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Inside the nested-KVM VM: runs the kvm tests of a manifest and reports each result.

    nested_runner.py <manifest.json> <result-port>

The manifest (written by nested_vm.py) lists each test's name, key, command, environment,
working directory, time limit and whether it must run alone (ctest's RUN_SERIAL). Those run
first, one by one; the others then run as many at a time as the VM has CPUs, the longest time
limits first. Each result goes to <result-port> (the VM's second serial port,
a file on the host) as one JSON line {"key", "name", "status", "seconds", "output"}, and a
progress line goes to the console. A last line {"done": N} says that all N finished.
"""
import concurrent.futures
import json
import os
import subprocess
import termios
import sys
import threading
import time


def run(test):
    # TANDEM_NESTED_VM tells a test where it runs (guest_test.sh: no QEMU in here).
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin", "HOME": "/tmp", "TMPDIR": "/tmp",
           "TANDEM_NESTED_VM": "1"}
    for item in test["environment"]:
        name, _, value = item.partition("=")
        env[name] = value
    os.makedirs(test["cwd"], exist_ok=True)
    start = time.monotonic()
    try:
        proc = subprocess.run(test["command"], cwd=test["cwd"], env=env, stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              timeout=test["timeout"])
        status, output = proc.returncode, proc.stdout
    except subprocess.TimeoutExpired as e:
        status = 1
        output = (e.stdout or b"") + (
            f"\nFAIL: still running after its {test['timeout']:.0f} s limit inside the nested "
            "VM, stopped\n").encode()
    except OSError as e:
        status, output = 1, f"FAIL: cannot run {test['command'][0]}: {e}\n".encode()
    if status < 0:
        output += f"\nFAIL: killed by signal {-status} inside the nested VM\n".encode()
        status = 1
    return status, output.decode(errors="replace"), time.monotonic() - start


def main() -> int:
    manifest, port_path = sys.argv[1:]
    with open(manifest) as f:
        tests = json.load(f)
    tests.sort(key=lambda t: -t["timeout"])
    lock = threading.Lock()
    with open(port_path, "w") as port:

        def one(test):
            print(f"nested: {test['name']}: started", flush=True)
            status, output, seconds = run(test)
            with lock:
                port.write(json.dumps({"key": test["key"], "name": test["name"], "status": status,
                                       "seconds": round(seconds, 2), "output": output}) + "\n")
                port.flush()
                print(f"nested: {test['name']}: status {status} ({seconds:.1f} s)", flush=True)

        for test in [t for t in tests if t["serial"]]:
            one(test)
        with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
            for f in [pool.submit(one, t) for t in tests if not t["serial"]]:
                f.result()
        port.write(json.dumps({"done": len(tests)}) + "\n")
        port.flush()
        # The serial driver sends in the background; power-off must not cut it short.
        termios.tcdrain(port.fileno())
    return 0


if __name__ == "__main__":
    sys.exit(main())

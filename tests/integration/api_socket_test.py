#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# The control socket (`tandem run --api-socket PATH`) and its client (`tandem ctl`):
#   api_socket_test.py <tandem> <guests-dir>
# A busy guest (isolation: scans its RAM forever, printing a line per scan) is paused, and then
# uses no CPU (tandem's CPU time from /proc/<pid>/stat: load on the machine can only lower it)
# and prints nothing; it resumes and prints again; `reset` restarts it from its image (its first
# line again, scan numbers from 1); `stats` counts its exits; `create` + `start` run a VM from a
# config; bad requests (malformed JSON, unknown command or VM, wrong state, a huge message, a
# client that disconnects mid-request) each get an error and the VM runs on; `stop` ends a VM
# cleanly and `quit` ends tandem.
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time

tandem, guests = sys.argv[1:3]
guest = os.path.join(guests, "aarch64", "isolation.elf")
hello = os.path.join(guests, "riscv64", "hello.elf")
if not os.path.exists(guest) or not os.path.exists(hello):
    print("SKIP: no isolation/hello guests")
    sys.exit(77)
failures = []
tmp = tempfile.mkdtemp()
sock = os.path.join(tmp, "api.sock")


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def ctl(*args):
    p = subprocess.run([tandem, "ctl", "--api-socket", sock, *args], capture_output=True,
                       text=True, timeout=60)
    try:
        return p.returncode, json.loads(p.stdout)
    except ValueError:
        return p.returncode, {"raw": p.stdout, "err": p.stderr}


def raw(data, read=True):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(sock)
    s.sendall(data)
    reply = b""
    if read:
        s.settimeout(30)
        while not reply.endswith(b"\n"):
            chunk = s.recv(65536)
            if not chunk:
                break
            reply += chunk
    s.close()
    return json.loads(reply) if reply else None


cfg = os.path.join(tmp, "busy.toml")
with open(cfg, "w") as f:
    f.write('[tandem]\nname = "busy"\nguest = "%s"\nappend = "A"\nmem = "16M"\n' % guest)
cfg2 = os.path.join(tmp, "hello.toml")
with open(cfg2, "w") as f:
    f.write('[tandem]\nname = "hi"\nguest = "%s"\nconsole = "file:%s"\n' %
            (hello, os.path.join(tmp, "hi.log")))

proc = subprocess.Popen([tandem, "run", "--api-socket", sock, cfg], stdin=subprocess.DEVNULL,
                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
lines = []
lock = threading.Lock()


def reader():
    for line in proc.stdout:
        with lock:
            lines.append(line.rstrip("\n"))


threading.Thread(target=reader, daemon=True).start()


def count_lines(pred=lambda l: True):
    with lock:
        return sum(1 for l in lines if pred(l))


def wait_for(pred, what, seconds=60):
    end = time.time() + seconds
    while time.time() < end:
        if pred():
            return True
        time.sleep(0.05)
    check(False, "timed out waiting for " + what)
    return False


def check_stopped(vm, reason):
    wait_for(lambda: ctl("info", vm)[1].get("vm", {}).get("state") == "stopped", vm + " to stop")
    info = ctl("info", vm)[1].get("vm", {})
    check(info.get("status") == 0 and info.get("reason") == reason,
          "%s stopped: %s, status 0 (%s)" % (vm, reason, info.get("reason")))


def scans():
    return count_lines(lambda l: l.startswith("[busy] isolation: scan"))


try:
    wait_for(lambda: os.path.exists(sock) and scans() >= 2, "the first scans")
    rc, reply = ctl("list")
    check(rc == 0 and [v["name"] for v in reply["vms"]] == ["busy"] and
          reply["vms"][0]["state"] == "running", "list: busy, running")

    # Pause: no output and no CPU while paused.
    rc, reply = ctl("pause", "busy")
    check(rc == 0 and reply == {"ok": True}, "pause")
    time.sleep(0.3)  # a scan line in flight may still arrive
    before_lines, before_cpu, t0 = scans(), cpu_seconds(proc.pid), time.time()
    time.sleep(2.0)
    cpu = cpu_seconds(proc.pid) - before_cpu
    wall = time.time() - t0
    print("paused: %.3f s CPU in %.2f s (%.1f%%)" % (cpu, wall, 100 * cpu / wall))
    check(cpu / wall < 0.05, "paused VM burns no CPU (%.1f%% of one CPU)" % (100 * cpu / wall))
    check(scans() == before_lines, "paused VM prints nothing")
    rc, reply = ctl("info", "busy")
    check(rc == 0 and reply["vm"]["state"] == "paused", "info: paused")
    # Guest time stands still while paused: the same reading before and after the 2 s above,
    # and it goes on after the resume below from where it stopped.
    paused_at = reply["vm"].get("guest_seconds", -1)
    time.sleep(0.5)
    rc, reply = ctl("info", "busy")
    check(rc == 0 and reply["vm"].get("guest_seconds") == paused_at > 0,
          "guest time stands still while paused (%s, then %s)" %
          (paused_at, reply["vm"].get("guest_seconds")))
    rc, reply = ctl("pause", "busy")
    check(rc == 1 and "paused" in reply.get("error", ""), "pause twice: error (%s)" % reply)

    # Resume.
    rc, reply = ctl("resume", "busy")
    check(rc == 0, "resume")
    wait_for(lambda: scans() >= before_lines + 2, "scans after resume")
    rc, reply = ctl("info", "busy")
    resumed_wall = time.time() - t0
    guest_after = reply["vm"].get("guest_seconds", 0)
    # Since the pause began the host's clock moved on by resumed_wall (over 2.5 s); the guest's
    # by only the time it ran after the resume.
    check(paused_at < guest_after < paused_at + resumed_wall - 2.0,
          "guest time went on after the resume without the pause (%.3f -> %.3f s, %.2f s of "
          "host time)" % (paused_at, guest_after, resumed_wall))
    rc, reply = ctl("resume", "busy")
    check(rc == 1 and "running" in reply.get("error", ""), "resume a running VM: error")

    # Stats.
    rc, reply = ctl("stats", "busy")
    vm = reply.get("vm", {})
    check(rc == 0 and vm.get("exits", {}).get("mmio-write", 0) > 100 and
          vm.get("run_seconds", 0) > 0, "stats: UART writes counted (%s), run time %.2f s" %
          (vm.get("exits"), vm.get("run_seconds", 0)))

    # Bad requests: each gets an error; the VM runs on.
    bad = {
        "malformed JSON": b"{not json\n",
        "not an object": b"[1, 2]\n",
        "no cmd": b'{"vm": "busy"}\n',
        "unknown command": b'{"cmd": "explode", "vm": "busy"}\n',
        "unknown VM": b'{"cmd": "pause", "vm": "nobody"}\n',
        "wrong type": b'{"cmd": "pause", "vm": 7}\n',
        "create without config": b'{"cmd": "create"}\n',
        "create from a missing file": b'{"cmd": "create", "config": "/nonexistent.toml"}\n',
        "huge message": b'{"cmd": "list", "pad": "' + b"x" * (200 * 1024) + b'"}\n',
    }
    for what, data in bad.items():
        reply = raw(data)
        check(reply is not None and reply.get("ok") is False and reply.get("error"),
              "%s: error reply (%s)" % (what, (reply or {}).get("error", "")[:80]))
    raw(b'{"cmd": "pau', read=False)  # disconnects mid-request
    n = scans()
    wait_for(lambda: scans() >= n + 2, "scans after the bad requests")
    rc, reply = ctl("info", "busy")
    check(rc == 0 and reply["vm"]["state"] == "running" and proc.poll() is None,
          "after every bad request the VM is running")

    # Reset: the guest starts again from its image.
    banner = count_lines(lambda l: l.startswith("[busy] isolation: A wrote its marker"))
    rc, reply = ctl("reset", "busy")
    check(rc == 0, "reset")
    wait_for(lambda: count_lines(lambda l: "A wrote its marker" in l) == banner + 1,
             "the banner again")
    wait_for(lambda: scans() > 0, "a scan after reset")
    with lock:
        after = lines[max(i for i, l in enumerate(lines) if "A wrote its marker" in l) + 1:]
    check(after == [] or after[0].startswith("[busy] isolation: scan 1:"),
          "after reset the scans count from 1 (%s)" % after[:1])
    rc, reply = ctl("info", "busy")
    check(rc == 0 and reply["vm"]["resets"] == 1, "info: resets 1")

    # Create and start from a config.
    rc, reply = ctl("create", cfg2)
    check(rc == 0 and reply.get("vm") == "hi", "create from a config: %s" % reply)
    rc, reply = ctl("info", "hi")
    check(rc == 0 and reply["vm"]["state"] == "created", "created, not started")
    rc, reply = ctl("create", cfg2)
    check(rc == 1 and "exists" in reply.get("error", ""), "create twice: error")
    rc, reply = ctl("start", "hi")
    check(rc == 0, "start")
    check_stopped("hi", "powered off, status 0")
    with open(os.path.join(tmp, "hi.log")) as f:
        check(f.read() == "Hello from the riscv64 guest\n", "hi's console in its file")

    # Stop, then quit.
    rc, reply = ctl("stop", "busy")
    check(rc == 0, "stop")
    check_stopped("busy", "stopped by request")
    rc, reply = ctl("stop", "busy")
    check(rc == 1 and "stopped" in reply.get("error", ""), "stop a stopped VM: error")
    check(proc.poll() is None, "tandem still serves with every VM stopped")
    rc, reply = ctl("quit")
    check(rc == 0, "quit")
    proc.wait(timeout=60)
    check(proc.returncode == 0, "tandem ended with status 0 (got %s)" % proc.returncode)
    check(not os.path.exists(sock), "the socket is removed")
finally:
    if proc.poll() is None:
        proc.kill()
        proc.wait()
    err = proc.stderr.read()
    if failures:
        print("tandem stderr:\n" + err)

rc, reply = ctl("list")
check(rc == 2, "ctl without a server: status 2")
print("%d failure(s)" % len(failures))
sys.exit(1 if failures else 0)

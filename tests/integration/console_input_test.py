#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Console input end to end: what the user types reaches the guest.

    console_input_test.py <tandem> <echo.elf> [--backend emu]

Runs `tandem run --backend <backend> <echo.elf>` with a pseudo-terminal as its stdin, stdout
and stderr (its controlling terminal, as in an interactive shell). The echo guest prints
"echo: ready", echoes every byte it receives, and on 'q' prints "echo: bye" and exits 0.

  1. typed text comes back once (from the guest; the terminal's own echo is off), Ctrl-C
     reaches the guest as a byte instead of killing Tandem, Ctrl-A Ctrl-A sends one Ctrl-A,
     and while the guest runs the terminal is in raw mode;
  2. Ctrl-A x ends `tandem run` with status 0 and "terminated by the user (Ctrl-A x)";
  3. 'q' lets the guest power off with status 0;
  4. stdin a pipe instead of a terminal: the bytes still arrive, and the end of the pipe does
     not stop the guest.
After 1-3 the terminal's modes must be exactly what they were before.

Exit status 0 when everything passed, 1 otherwise, 77 (skip) when the guest file is missing.
Python 3 standard library only.
"""

import argparse
import fcntl
import os
import select
import subprocess
import sys
import termios
import time

TIMEOUT = 30.0  # seconds for any one expectation; the guest answers in milliseconds


class Failure(Exception):
    pass


class PtyRun:
    """`tandem run` on a fresh pseudo-terminal; the test types on the master side."""

    def __init__(self, cmd):
        self.master, self.slave = os.openpty()
        self.before = termios.tcgetattr(self.slave)
        self.out = b""

        def make_controlling_tty():
            fcntl.ioctl(0, termios.TIOCSCTTY, 0)

        self.proc = subprocess.Popen(cmd, stdin=self.slave, stdout=self.slave, stderr=self.slave,
                                     start_new_session=True, preexec_fn=make_controlling_tty,
                                     close_fds=True)

    def _read_some(self, timeout):
        ready, _, _ = select.select([self.master], [], [], timeout)
        if not ready:
            return False
        try:
            chunk = os.read(self.master, 4096)
        except OSError:
            return False
        self.out += chunk
        return bool(chunk)

    def expect(self, needle, what):
        deadline = time.monotonic() + TIMEOUT
        while needle not in self.out:
            left = deadline - time.monotonic()
            if left <= 0:
                raise Failure(f"{what}: {needle!r} not seen after {TIMEOUT:.0f} s")
            if not self._read_some(min(left, 0.5)) and self.proc.poll() is not None:
                while self._read_some(0.1):
                    pass
                if needle not in self.out:
                    raise Failure(f"{what}: {needle!r} not seen; tandem exited with status "
                                  f"{self.proc.returncode}")

    def type(self, data):
        os.write(self.master, data)

    def modes(self):
        return termios.tcgetattr(self.slave)

    def wait(self, what):
        try:
            status = self.proc.wait(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            raise Failure(f"{what}: tandem did not exit within {TIMEOUT:.0f} s")
        while self._read_some(0.1):  # what it printed last
            pass
        return status

    def close(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        os.close(self.master)
        os.close(self.slave)


def describe_modes(attrs):
    iflag, oflag, _, lflag = attrs[:4]
    names = [("ECHO", lflag & termios.ECHO), ("ICANON", lflag & termios.ICANON),
             ("ISIG", lflag & termios.ISIG), ("ICRNL", iflag & termios.ICRNL),
             ("OPOST", oflag & termios.OPOST)]
    return " ".join(n if on else "-" + n for n, on in names)


def check_restored(run, what):
    after = run.modes()
    if after != run.before:
        raise Failure(f"{what}: terminal modes not restored: before [{describe_modes(run.before)}]"
                      f", after [{describe_modes(after)}]")


def case_typing_and_ctrl_a_x(cmd):
    run = PtyRun(cmd)
    try:
        run.expect(b"echo: ready", "boot")
        modes = run.modes()
        lflag, iflag = modes[3], modes[0]
        if lflag & (termios.ECHO | termios.ICANON | termios.ISIG) or iflag & termios.ICRNL:
            raise Failure(f"terminal not in raw mode while the guest runs: [{describe_modes(modes)}]")
        if not modes[1] & termios.OPOST:
            raise Failure("raw mode dropped OPOST: the guest's newlines would not return the cursor")
        run.type(b"hello tandem")
        run.expect(b"hello tandem", "echo of typed text")
        if run.out.count(b"hello tandem") != 1:
            raise Failure("typed text came back twice: the terminal still echoes")
        run.type(b"[\x03]")  # Ctrl-C: a byte for the guest, not SIGINT for Tandem
        run.expect(b"[\x03]", "Ctrl-C passed to the guest")
        run.type(b"<\x01\x01>")  # Ctrl-A Ctrl-A: one Ctrl-A
        run.expect(b"<\x01>", "Ctrl-A Ctrl-A sends one Ctrl-A")
        run.type(b"\x01x")
        expect_clean_exit(run, "Ctrl-A x", b"terminated by the user (Ctrl-A x)")
    except Failure as e:
        raise Failure(f"{e}\n--- output ---\n{run.out.decode(errors='replace')}") from None
    finally:
        run.close()


def expect_clean_exit(run, what, text):
    """Tandem ends with status 0 having printed `text`, and the terminal's modes are back."""
    status = run.wait(what)
    if status != 0:
        raise Failure(f"{what}: status {status}, want 0")
    if text not in run.out:
        raise Failure(f"{what}: no {text.decode()!r} in the output")
    check_restored(run, what)


def case_guest_quits(cmd):
    run = PtyRun(cmd)
    try:
        run.expect(b"echo: ready", "boot")
        run.type(b"q")
        expect_clean_exit(run, "guest exit", b"echo: bye")
    except Failure as e:
        raise Failure(f"{e}\n--- output ---\n{run.out.decode(errors='replace')}") from None
    finally:
        run.close()


def case_pipe(cmd):
    try:
        proc = subprocess.run(cmd, input=b"pipe!q", capture_output=True, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        raise Failure(f"stdin a pipe: tandem did not exit within {TIMEOUT:.0f} s") from None
    out = proc.stdout.decode(errors="replace")
    if proc.returncode != 0 or "pipe!" not in out or "echo: bye" not in out:
        raise Failure(f"stdin a pipe: status {proc.returncode}, output {out!r}, "
                      f"stderr {proc.stderr.decode(errors='replace')!r}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tandem")
    parser.add_argument("guest")
    parser.add_argument("--backend", default="emu")
    args = parser.parse_args()
    if not os.path.isfile(args.guest):
        print(f"SKIP: {args.guest} does not exist (build the guests)")
        return 77
    if not os.access(args.tandem, os.X_OK):
        print(f"FAIL: {args.tandem} is not an executable", file=sys.stderr)
        return 1
    cmd = [args.tandem, "run", "--backend", args.backend, args.guest]
    failures = 0
    for case in (case_typing_and_ctrl_a_x, case_guest_quits, case_pipe):
        try:
            case(cmd)
            print(f"ok: {case.__name__}")
        except Failure as e:
            failures += 1
            print(f"FAIL: {case.__name__}: {e}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Ctrl-C at a {prompt:} secret leaves the terminal as it found it.

Runs ADTRUST ARGS... on a new pseudo-terminal (its controlling terminal,
as under an interactive sh), waits for the prompt, checks that echo is
off, types Ctrl-C, and checks that the process died of SIGINT and that
echo is on again.  Exit 0 when all holds, else 1 with the reason."""
import os, select, signal, sys, termios, time, fcntl

def main():
    master, slave = os.openpty()
    pid = os.fork()
    if pid == 0:
        os.setsid()
        fcntl.ioctl(slave, termios.TIOCSCTTY, 0)
        for fd in (0, 1, 2):
            os.dup2(slave, fd)
        os.close(master)
        os.close(slave)
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        os.execv(sys.argv[1], sys.argv[1:])
    seen, deadline = b"", time.time() + 20
    while b"Password: " not in seen and time.time() < deadline:
        r, _, _ = select.select([master], [], [], 0.2)
        if r:
            try:
                seen += os.read(master, 4096)
            except OSError:
                break
    if b"Password: " not in seen:
        print("no prompt; output: %r" % seen)
        os.kill(pid, signal.SIGKILL)
        return 1
    time.sleep(0.2)
    if termios.tcgetattr(slave)[3] & termios.ECHO:
        print("echo was not off at the prompt")
        return 1
    os.write(master, b"\x03")
    _, status = os.waitpid(pid, 0)
    if not (os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGINT):
        print("not killed by SIGINT: status %#x" % status)
        return 1
    if not termios.tcgetattr(slave)[3] & termios.ECHO:
        print("echo is still off after Ctrl-C")
        return 1
    return 0

sys.exit(main())

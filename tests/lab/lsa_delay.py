#!/usr/bin/env python3
"""A delaying stand-in for adtrust-lsa (lab tests: tests/lab/t_25_interrupt.sh).

adtrust starts its LSA helper as `HELPER --fd=N`, N being its end of a
SOCK_STREAM socketpair (providers/lsa.c spawn_helper).  Pointed at by
ADTRUST_LSA, this script takes that place: it makes a socketpair of its
own, starts the real helper on one end as fd 3 (`--fd=3`), and relays
frames both ways (u32 little-endian length + payload; payload byte 0 is
the protocol version, byte 1 the message type: providers/lsa_proto.h).
Before it forwards a request it appends one line to the log

    N TYPE PID [NAME]

(N counts the requests of every wrapper writing to that log; PID is this
wrapper's, i.e. the process adtrust started: one per domain session; NAME
is the TDO or partner name of requests that carry one, never given for
LOGIN and CREATE_TDO, whose frames hold secrets), then sleeps the delay
(for the types chosen).  When the process that sent the request is gone
by the end of its delay (adtrust was SIGKILLed), the request is dropped
(ADT_LSA_ORPHANS=drop, the default: as if adtrust had died just before
sending it) or still sent, its reply awaited and thrown away (=send: as
if it had died waiting for the reply); a line "- TYPE PID dropped" or
"- TYPE PID sent after adtrust was gone" says which (such lines do not
count in N).

Settings (environment or options; adtrust passes only some variables
through to its helper, so the lab test bakes them into a small generated
script that execs this one):
    ADT_LSA_REAL         --real=PATH        the real adtrust-lsa (required)
    ADT_LSA_DELAY_MS     --delay-ms=MS      delay before each request (0)
    ADT_LSA_DELAY_TYPES  --delay-types=L    comma list of types to delay
                                            (default: every type)
    ADT_LSA_LOG          --log=FILE         the log (none: no log)
    ADT_LSA_ORPHANS      --orphans=drop|send  see above (drop)

Like adtrust-lsa it ignores SIGINT, SIGTERM and SIGHUP: adtrust decides
when a run stops.  Standard library only.
"""

import fcntl
import os
import select
import signal
import socket
import struct
import subprocess
import sys
import time

TYPES = {
    1: "LOGIN",
    2: "INFO",
    3: "QUERY_TDO",
    4: "CREATE_TDO",
    5: "SET_INFO_EX",
    6: "SET_ENCTYPES",
    7: "SET_FTI",
    8: "QUERY_FTI",
    9: "FETCH_FTI",
    10: "DELETE_TDO",
    11: "VALIDATE",
    12: "SC_RESET",
}
# requests whose first field is a non-secret str name (the TDO or partner)
NAMED = {3, 5, 6, 7, 8, 9, 10, 11, 12}
MAX_FRAME = 4 * 1024 * 1024 + 4


def die(msg):
    sys.stderr.write("lsa_delay: %s\n" % msg)
    sys.exit(1)


def settings(argv):
    s = {
        "fd": None,
        "real": os.environ.get("ADT_LSA_REAL", ""),
        "delay": os.environ.get("ADT_LSA_DELAY_MS", "0"),
        "types": os.environ.get("ADT_LSA_DELAY_TYPES", ""),
        "log": os.environ.get("ADT_LSA_LOG", ""),
        "orphans": os.environ.get("ADT_LSA_ORPHANS", "drop"),
    }
    keys = {"--fd=": "fd", "--real=": "real", "--delay-ms=": "delay",
            "--delay-types=": "types", "--log=": "log",
            "--orphans=": "orphans"}
    for a in argv:
        for pre, k in keys.items():
            if a.startswith(pre):
                s[k] = a[len(pre):]
                break
        else:
            die("unknown argument '%s'" % a)
    if s["fd"] is None or not s["fd"].isdigit():
        die("usage: lsa_delay.py --fd=N (settings: see the file's header)")
    s["fd"] = int(s["fd"])
    if s["orphans"] not in ("drop", "send"):
        die("ADT_LSA_ORPHANS is 'drop' or 'send'")
    if not s["real"] or not os.access(s["real"], os.X_OK):
        die("ADT_LSA_REAL is not an executable: '%s'" % s["real"])
    try:
        s["delay"] = max(0, int(s["delay"])) / 1000.0
    except ValueError:
        die("ADT_LSA_DELAY_MS is not a number of milliseconds")
    names = [t.strip().upper() for t in s["types"].split(",") if t.strip()]
    byname = {v: k for k, v in TYPES.items()}
    for n in names:
        if n not in byname:
            die("ADT_LSA_DELAY_TYPES: unknown type '%s'" % n)
    s["types"] = {byname[n] for n in names} if names else set(TYPES)
    return s


def log_line(path, text, numbered=True):
    """Appends "N text" (N: numbered lines already in the log + 1), or
    "- text"."""
    if not path:
        return
    fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        os.lseek(fd, 0, os.SEEK_SET)
        old = b""
        while True:
            b = os.read(fd, 65536)
            if not b:
                break
            old += b
        n = sum(1 for ln in old.splitlines() if ln[:1].isdigit())
        head = str(n + 1) if numbered else "-"
        os.write(fd, ("%s %s\n" % (head, text)).encode())
    finally:
        os.close(fd)


def request_name(payload):
    """The str name after the header, for NAMED types; '' if absent."""
    if len(payload) < 6:
        return ""
    (n,) = struct.unpack_from("<I", payload, 2)
    if n == 0xFFFFFFFF or n > 1024 or 6 + n > len(payload):
        return ""
    return payload[6:6 + n].decode("utf-8", "replace")


def peer_gone(fd):
    """True when the other end of the socket fd has closed it."""
    r, _, _ = select.select([fd], [], [], 0)
    if not r:
        return False
    sk = socket.socket(fileno=os.dup(fd))
    try:
        return len(sk.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT)) == 0
    except BlockingIOError:
        return False
    except OSError:
        return True
    finally:
        sk.close()


def orphan_send(down, frame):
    """Sends a request whose sender is gone and waits for its reply (it
    is thrown away), so that the DC has done it when this wrapper ends."""
    try:
        write_all(down, frame)
        got = b""
        while len(got) < 4 or len(got) < 4 + struct.unpack_from("<I", got)[0]:
            b = os.read(down, 65536)
            if not b:
                return
            got += b
    except OSError:
        return


def write_all(fd, data):
    view = memoryview(data)
    while view:
        n = os.write(fd, view)
        view = view[n:]


def main():
    s = settings(sys.argv[1:])
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, signal.SIG_IGN)
    # adtrust's end, moved off the low numbers; fd 3 becomes the helper's
    up = os.dup(s["fd"])
    os.close(s["fd"])
    mine, theirs = socket.socketpair()
    if mine.fileno() == 3:
        other = mine.dup()
        mine.close()
        mine = other
    if theirs.fileno() != 3:
        os.dup2(theirs.fileno(), 3)
        theirs.close()
    else:
        theirs.detach()
    os.set_inheritable(3, True)
    try:
        child = subprocess.Popen([s["real"], "--fd=3"], pass_fds=(3,),
                                 close_fds=True)
    except OSError as e:
        die("cannot start '%s': %s" % (s["real"], e.strerror))
    os.close(3)
    down = mine.detach()
    me = os.getpid()
    status = relay(s, up, down, me)
    # adtrust hung up (or the helper did): the helper logs off on EOF
    for fd in (down, up):
        try:
            os.close(fd)
        except OSError:
            pass
    try:
        rc = child.wait(timeout=20)
    except subprocess.TimeoutExpired:
        child.kill()
        rc = child.wait()
    if status == "helper" and rc < 0:
        signal.signal(-rc, signal.SIG_DFL)
        os.kill(me, -rc)
    sys.exit(rc if rc > 0 else 0)


def relay(s, up, down, me):
    """Relays until one side closes; returns 'adtrust' or 'helper'."""
    buf = b""
    while True:
        r, _, _ = select.select([up, down], [], [])
        if down in r:
            try:
                data = os.read(down, 65536)
            except OSError:
                data = b""
            if not data:
                return "helper"
            try:
                write_all(up, data)
            except OSError:
                return "adtrust"
        if up in r:
            try:
                data = os.read(up, 65536)
            except OSError:
                data = b""
            if not data:
                return "adtrust"
            buf += data
            while len(buf) >= 4:
                (n,) = struct.unpack_from("<I", buf, 0)
                if n == 0 or n + 4 > MAX_FRAME:
                    die("a frame of %d bytes from adtrust" % n)
                if len(buf) < 4 + n:
                    break
                frame, buf = buf[:4 + n], buf[4 + n:]
                t = frame[5] if n >= 2 else 0
                tname = TYPES.get(t, "TYPE%d" % t)
                extra = ""
                if t in NAMED:
                    extra = " " + request_name(frame[4:])
                log_line(s["log"], "%s %d%s" % (tname, me, extra))
                if t in s["types"] and s["delay"] > 0:
                    time.sleep(s["delay"])
                    if peer_gone(up):
                        if s["orphans"] == "send":
                            orphan_send(down, frame)
                            log_line(s["log"], "%s %d sent after adtrust "
                                     "was gone" % (tname, me),
                                     numbered=False)
                        else:
                            log_line(s["log"], "%s %d dropped" % (tname, me),
                                     numbered=False)
                        return "adtrust"
                try:
                    write_all(down, frame)
                except OSError:
                    return "helper"
                finally:
                    del frame  # LOGIN and CREATE_TDO hold secrets


if __name__ == "__main__":
    main()

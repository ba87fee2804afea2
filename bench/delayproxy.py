#!/usr/bin/env python3
"""A TCP relay that adds a fixed one-way delay, for kernels without netem.

  delayproxy.py DELAY_MS LISTEN_IP:PORT=UPSTREAM_IP:PORT ...

Every chunk read from either side is written to the other side DELAY_MS
after it arrived (order kept), so a request/response round trip costs
2*DELAY_MS, as with `tc qdisc add dev lo root netem delay DELAY_MS` on a
loopback path (each packet crosses lo's egress once).  The TCP handshake
with the proxy itself completes at once, so the first client chunk is
held one extra round trip (2*DELAY_MS after the accept), as if connect()
had waited for SYN/SYN-ACK over the delayed link.

Single-threaded asyncio, one process for all listeners: the work per chunk
is tens of microseconds, far below the delay, so it does not serialise the
connections it relays.  Prints "ready" on stdout once listening.
"""
import asyncio
import sys


async def relay(reader, writer, delay, hold_until):
    loop = asyncio.get_running_loop()
    queue = asyncio.Queue()

    async def deliver():
        while True:
            due, data = await queue.get()
            wait = due - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            if not data:
                try:
                    writer.write_eof()
                except OSError:
                    pass
                return
            writer.write(data)
            await writer.drain()

    task = asyncio.create_task(deliver())
    try:
        while True:
            data = await reader.read(65536)
            due = max(loop.time(), hold_until) + delay
            queue.put_nowait((due, data))
            if not data:
                break
        await task
    except (ConnectionError, OSError):
        task.cancel()


def make_handler(up_host, up_port, delay):
    async def handle(c_reader, c_writer):
        loop = asyncio.get_running_loop()
        accepted = loop.time()
        try:
            s_reader, s_writer = await asyncio.open_connection(up_host, up_port)
        except OSError:
            c_writer.close()
            return
        try:
            await asyncio.gather(
                relay(c_reader, s_writer, delay, accepted + 2 * delay),
                relay(s_reader, c_writer, delay, 0.0))
        finally:
            for w in (c_writer, s_writer):
                w.close()

    return handle


async def main(argv):
    delay = float(argv[0]) / 1000.0
    servers = []
    for spec in argv[1:]:
        listen, upstream = spec.split("=")
        lh, lp = listen.rsplit(":", 1)
        uh, up = upstream.rsplit(":", 1)
        servers.append(await asyncio.start_server(
            make_handler(uh, int(up), delay), lh, int(lp), reuse_address=True))
    print("ready", flush=True)
    await asyncio.gather(*(s.serve_forever() for s in servers))


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    try:
        asyncio.run(main(sys.argv[1:]))
    except KeyboardInterrupt:
        pass

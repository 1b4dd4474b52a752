"""Simulated tablets for the fan-out bench: one process holding many Socket.IO clients.

Started by ``bench/fanout_bench.py`` (several of these share the tablets) as
``python bench/fanout_tablets.py URL MEETING_ID``. Each tablet is a python-socketio
``AsyncClient`` (aiohttp) on the WebSocket transport that joins the meeting with
``join_meeting`` and stamps every ``meeting_updated`` notice with ``time.time()`` on arrival.

JSON lines with the bench. In (stdin): ``{"cmd": "grow", "cookies": [...]}`` connects one more
tablet per Cookie header value ("" for none) and joins it; ``{"cmd": "quit"}`` disconnects all.
Out (stdout): ``{"ready": n, "failed": k}`` after growing; ``{"seq": s, "times": [...],
"expected": n, "dropped": d}`` once every still-connected tablet here has notice ``s``, or
``ROUND_TIMEOUT`` after its first arrival (``d`` tablets lost their connection: they count as
missing). Every wait is bounded.

``bench/vote_bench.py`` reuses this with a subclass (its tablets register more handlers in
:meth:`Tablets.listen`) started through ``main(factory, argv)``.
"""

from __future__ import annotations

import asyncio
import json
import resource
import sys
import time
from collections.abc import Callable
from typing import Any

import socketio

EVENT = "meeting_updated"
ROUND_TIMEOUT = 10.0  # seconds after a notice's first arrival before reporting it incomplete
CONNECT_TIMEOUT = 60.0
CONNECT_CONCURRENCY = 16  # connections being opened at once by this process
LIFETIME_S = 1800.0  # the bench stops us long before; this is in case it could not


class Tablets:
    """The tablets of this process and the arrival times of their notices."""

    def __init__(self, url: str, meeting_id: int) -> None:
        self.url = url
        self.meeting_id = meeting_id
        self.clients: list[socketio.AsyncClient] = []
        self.dropped = 0  # tablets whose connection ended (they get no more notices)
        self.closing = False
        self.arrivals: dict[int, list[float]] = {}
        self.expected: dict[int, tuple[int, int]] = {}  # seq: (connected, dropped) at first
        self.first_arrival: dict[int, float] = {}

    def on_notice(self, notice: dict[str, Any]) -> None:
        arrived = time.time()
        seq = int(notice["seq"])
        if seq not in self.arrivals:
            self.arrivals[seq] = []
            self.expected[seq] = (len(self.clients) - self.dropped, self.dropped)
            self.first_arrival[seq] = time.monotonic()
        times = self.arrivals[seq]
        times.append(arrived)
        if len(times) == self.expected[seq][0]:
            self.report(seq)

    def report(self, seq: int) -> None:
        times = self.arrivals.pop(seq)
        del self.first_arrival[seq]
        expected, dropped = self.expected.pop(seq)
        emit({"seq": seq, "times": times, "expected": expected, "dropped": dropped})

    async def watch(self) -> None:
        """Report notices that some tablets here did not get within ``ROUND_TIMEOUT``."""
        while True:
            await asyncio.sleep(0.2)
            now = time.monotonic()
            for seq, first in list(self.first_arrival.items()):
                if now - first > ROUND_TIMEOUT:
                    self.report(seq)

    async def grow(self, cookies: list[str]) -> None:
        gate = asyncio.Semaphore(CONNECT_CONCURRENCY)
        outcomes = await asyncio.gather(*(self._add(cookie, gate) for cookie in cookies))
        emit({"ready": len(self.clients), "failed": outcomes.count(False)})

    async def _add(self, cookie: str, gate: asyncio.Semaphore) -> bool:
        async with gate:
            client = socketio.AsyncClient(reconnection=False)
            self.listen(client, cookie)
            try:
                await asyncio.wait_for(self._join(client, cookie), CONNECT_TIMEOUT)
            except Exception as error:  # counted and reported; the bench goes on
                print(f"tablet failed: {error!r}", file=sys.stderr, flush=True)
                await client.disconnect()
                return False
            self.clients.append(client)
            client.on("disconnect", self.on_drop)
            return True

    def listen(self, client: socketio.AsyncClient, cookie: str) -> None:
        """Register a new tablet's handlers (a subclass may react to other events)."""
        client.on(EVENT, self.on_notice)

    def on_drop(self, reason: object = None) -> None:
        if not self.closing:
            self.dropped += 1
            print(f"tablet dropped: {reason}", file=sys.stderr, flush=True)

    async def _join(self, client: socketio.AsyncClient, cookie: str) -> None:
        headers = {"Cookie": cookie} if cookie else {}
        await client.connect(
            self.url, transports=["websocket"], headers=headers, wait_timeout=CONNECT_TIMEOUT
        )
        ack = await client.call("join_meeting", {"meeting_id": self.meeting_id}, timeout=30)
        if not ack or not ack.get("ok"):
            raise RuntimeError(f"join refused: {ack}")

    async def close(self) -> None:
        self.closing = True
        await asyncio.wait_for(
            asyncio.gather(*(c.disconnect() for c in self.clients), return_exceptions=True), 20
        )


def emit(message: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


async def serve(url: str, meeting_id: int, factory: Callable[[str, int], Tablets]) -> None:
    tablets = factory(url, meeting_id)
    loop = asyncio.get_running_loop()
    commands = asyncio.StreamReader(limit=1 << 24)  # a "grow" line carries hundreds of cookies
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(commands), sys.stdin)
    watcher = asyncio.create_task(tablets.watch())
    try:
        while line := await commands.readline():
            command = json.loads(line)
            if command["cmd"] == "grow":
                await tablets.grow(command["cookies"])
            elif command["cmd"] == "quit":
                break
    finally:
        watcher.cancel()
        await tablets.close()


def main(factory: Callable[[str, int], Tablets] = Tablets, argv: list[str] | None = None) -> None:
    """Serve ``URL MEETING_ID`` (``argv``, else the command line) with ``factory``'s tablets."""
    url, meeting_id = (sys.argv[1:] if argv is None else argv)[:2]
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = 65536 if hard == resource.RLIM_INFINITY else min(65536, hard)
    if soft != resource.RLIM_INFINITY and soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    asyncio.run(asyncio.wait_for(serve(url, int(meeting_id), factory), LIFETIME_S))


if __name__ == "__main__":
    main()

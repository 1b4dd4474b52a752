"""The live meeting as people see it (issue 12): a change on every tablet, a restart, a full room.

Run with `make bench` (or `.venv/bin/python bench/live_bench.py`). Loopback only; every loop,
wait and process is bounded, and every process started here is stopped by its PID.

Seeded like ``bench/fanout_bench.py`` (whose seeding, processes and bare server this reuses):
``meeting-server serve`` on SQLite, 1,000 invited participants, each tablet with its own
minted session. What is measured, each against a baseline from the same run:

* **change → every tablet shows it** (``live_{200,1000}_all_shown_p99_ms``): the secretary
  saves the meeting's edit form; a tablet has *shown* the change once it holds what it needs
  to draw it: the notice, if the notice carries the changed state, else the notice and then
  the state it reads (``GET /tablet/meetings/<id>/state``, what a tablet without the state in
  the notice does). Baseline: the bare python-socketio server's notice to the same number of
  clients (``bare_{n}_shown_p99_ms``), rounds alternating.
* **RSS with 1,000 tablets** (``rss_1000_mb``): the server process's resident memory; the
  bare server's with as many tablets (``bare_rss_1000_mb``) is what the connections alone take.
* **200 check-ins at the same instant** (``checkin_200_errors``): 200 participants press
  *Điểm danh* (``POST …/check-in`` with session and CSRF token) at once; answers other
  than 200.
* **kill -9 and restart with 1,000 tablets plus one change** (``restart_1000_all_current_s``):
  the server is killed; a new one starts on the same port and instance; the tablets reconnect
  by themselves (1–2 s apart at random, like socket.io-client) and join with their last
  ``seq``; the secretary, signed in before the kill (her session cookie outlives the server),
  saves one change as soon as the server answers. Measured from the
  new server's first answer until every tablet holds the latest ``seq`` (from its join answer
  or the notice). Baseline: the same restart with the bare server, whose join answer carries
  the last notice's number, and a notice as soon as it answers
  (``bare_restart_1000_all_current_s``).

``live_bench.py 200 [ROUNDS]`` takes a quick look and writes nothing; ``LIVE_INSTANCE=/some/
folder`` keeps the instance and the logs. ``live_bench.py tablets URL MEETING_ID`` is a
tablet process (started by the bench).
"""

from __future__ import annotations

import asyncio
import json
import math
import os
import random
import re
import signal
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
import fanout_tablets
import requests
import socketio
from fanout_bench import (
    Seed,
    bare_trigger,
    bench_app,
    edit_meeting_trigger,
    percentile,
    seed_meeting,
    server_env,
    write,
)
from fanout_processes import (
    BENCH,
    CLIENT_PROCESSES,
    Fleet,
    Processes,
    free_port,
    raise_open_files_limit,
    rounded_ms,
    serve_command,
)
from live_busy import at_most, meeting_seq, page_turns, prepare_presenting, two_processes
from live_busy import targets as busy_targets

from meeting_server.realtime.contract import NOTICE_KINDS

SIZES = (200, 1000)
ROUNDS = 10
WARMUP = 2
PAUSE_S = 0.5
ROUND_WAIT_S = 30.0
CHECKINS = 200
SIGNING_IN = 20  # people signing in (argon2, ~0.1 s of CPU each) while a change goes out
SIGN_IN_PASSWORD = "mat-khau-dang-nhap-42"
TARGETS_MS = {200: 100.0, 1000: 400.0}
TARGET_RATIO = 2.0
TARGET_RESTART_S = 3.0
TARGET_RSS_MB = 200.0
RECONNECT_DELAY_S = (1.0, 2.0)  # socket.io-client: 1 s, randomised by 0.5


# --- the tablet processes ---------------------------------------------------------------------


class ShowingTablets(fanout_tablets.Tablets):
    """Tablets that count a change as shown once they hold what they need to draw it.

    They follow every notice's ``seq``; after the server went away they reconnect by
    themselves (``come_back``), join with their last seq, and report when each first held a
    given seq (``expect``). ``bare``: the baseline's tablets, which never read a state.
    """

    def __init__(self, url: str, meeting_id: int, bare: bool) -> None:
        super().__init__(url, meeting_id)
        self.bare = bare
        self.cookies: dict[socketio.AsyncClient, str] = {}
        self.seqs: dict[socketio.AsyncClient, int] = {}
        self.reached: dict[socketio.AsyncClient, list[tuple[float, int]]] = {}
        self.http: aiohttp.ClientSession | None = None

    def listen(self, client: socketio.AsyncClient, cookie: str) -> None:
        self.cookies[client], self.seqs[client], self.reached[client] = cookie, -1, []

        async def on_change(notice: dict[str, Any]) -> None:
            if not self.bare and "meeting" not in (notice.get("state") or {}):
                await self.read_state(cookie)  # the change is not in the notice: read it
            self.advance(client, int(notice["seq"]))
            self.on_notice(notice)

        client.on(fanout_tablets.EVENT, on_change)
        for kind in NOTICE_KINDS - {fanout_tablets.EVENT}:
            client.on(kind, lambda notice, client=client: self.advance(client, int(notice["seq"])))

    def advance(self, client: socketio.AsyncClient, seq: int) -> None:
        if seq > self.seqs[client]:
            self.seqs[client] = seq
            self.reached[client].append((time.time(), seq))

    async def read_state(self, cookie: str) -> None:
        if self.http is None:
            self.http = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0))
        url = f"{self.url}/tablet/meetings/{self.meeting_id}/state"
        timeout = aiohttp.ClientTimeout(total=60)
        async with self.http.get(url, headers={"Cookie": cookie}, timeout=timeout) as answer:
            await answer.read()

    def on_drop(self, reason: object = None) -> None:
        pass  # the restart drops everyone on purpose; they come back (``come_back``)

    async def come_back(self) -> None:
        """Reconnect every tablet after a restart (1–2 s apart at random) and join again."""
        if self.bare:  # the bare server numbers from 1 again and replays nothing
            for client in self.clients:
                self.seqs[client], self.reached[client] = 0, []
        await asyncio.gather(*(self._rejoin(client) for client in self.clients))

    async def _rejoin(self, client: socketio.AsyncClient) -> None:
        headers = {"Cookie": self.cookies[client]} if self.cookies[client] else {}
        for _attempt in range(40):
            await asyncio.sleep(random.uniform(*RECONNECT_DELAY_S))  # noqa: S311 - jitter
            try:
                if not client.connected:
                    await client.connect(
                        self.url, transports=["websocket"], headers=headers, wait_timeout=10
                    )
                last = self.seqs[client] if self.seqs[client] >= 0 else None
                join = {"meeting_id": self.meeting_id, "last_seq": last}
                ack = await client.call("join_meeting", join, timeout=20)
                if ack and ack.get("ok"):
                    self.advance(client, int(ack["seq"]))  # (ours: its state came with the ack)
                    return
            except Exception:  # noqa: S112 - the server is still starting: try again
                continue

    async def expect(self, seq: int) -> None:
        """Report when each tablet first held ``seq`` (or later), within 60 s."""
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and min(self.seqs.values()) < seq:
            await asyncio.sleep(0.05)
        times = [
            next((t for t, got in self.reached[client] if got >= seq), math.inf)
            for client in self.clients
        ]
        fanout_tablets.emit({"current": seq, "times": [t for t in times if math.isfinite(t)]})

    async def close(self) -> None:
        await super().close()
        if self.http is not None:
            await self.http.close()


async def serve_tablets(url: str, meeting_id: int, bare: bool) -> None:
    """A tablet process: ``grow`` and ``quit`` like fanout_tablets, ``come_back``, ``expect``."""
    tablets = ShowingTablets(url, meeting_id, bare)
    loop = asyncio.get_running_loop()
    commands = asyncio.StreamReader(limit=1 << 24)
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(commands), sys.stdin)
    watcher = asyncio.create_task(tablets.watch())
    background: set[asyncio.Task[None]] = set()
    try:
        while line := await commands.readline():
            command = json.loads(line)
            if command["cmd"] == "grow":
                await tablets.grow(command["cookies"])
            elif command["cmd"] in ("come_back", "expect"):
                work = (
                    tablets.come_back()
                    if command["cmd"] == "come_back"
                    else tablets.expect(int(command["seq"]))
                )
                task = asyncio.create_task(work)
                background.add(task)
                task.add_done_callback(background.discard)
            elif command["cmd"] == "quit":
                break
    finally:
        watcher.cancel()
        await tablets.close()


# --- the bench --------------------------------------------------------------------------------


@dataclass
class Samples:
    shown_ms: list[float] = field(default_factory=list)
    missing: int = 0


def main(argv: list[str]) -> int:
    if argv[:1] == ["tablets"]:  # tablets [bare] URL MEETING_ID
        bare = argv[1] == "bare"
        url, meeting_id = argv[2:4] if bare else argv[1:3]
        asyncio.run(asyncio.wait_for(serve_tablets(url, int(meeting_id), bare), 1800))
        return 0
    sizes = tuple(int(n) for n in argv[0].split(",")) if argv else SIZES
    rounds = int(argv[1]) if len(argv) > 1 else ROUNDS
    raise_open_files_limit()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    started = time.monotonic()
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="live-") as folder:
        instance = Path(os.environ.get("LIVE_INSTANCE") or folder)
        instance.mkdir(parents=True, exist_ok=True)
        port, bare_port = free_port(), free_port()
        env = server_env(instance, port)
        print(f"seeding {max(sizes)} participants …", flush=True)
        seed = seed_meeting(instance, env, participants=max(max(sizes), CHECKINS))
        checkins = mint_checkins(env, seed, CHECKINS)
        signing_in = seed_accounts(env, SIGNING_IN)
        presenting = prepare_presenting(env, seed)  # the meeting is in progress from here
        command = [sys.executable, str(BENCH / "live_bench.py"), "tablets"]
        with Processes() as processes:
            ours, bare = processes.ours_and_bare(env, port, bare_port, instance)
            ours_fleet = processes.fleet("ours", ours, seed.meeting_id, instance, command)
            bare_fleet = processes.fleet("bare", bare, 1, instance, [*command, "bare"])
            change = edit_meeting_trigger(ours[0], seed)
            notify = bare_trigger(bare[0])
            for n in sizes:
                ours_fleet.grow(seed.cookies[ours_fleet.size : n])
                bare_fleet.grow([""] * (n - bare_fleet.size))
                time.sleep(1.0)
                measured = rounds_at(n, rounds, change, notify, ours_fleet, bare_fleet)
                results |= shown_keys(n, measured)
                if n == min(sizes):
                    results |= during_sign_ins(n, rounds, change, ours_fleet, ours[0], signing_in)
                results |= page_turns(n, rounds, env, ours[0], seed, ours_fleet, presenting)
                if n == 1000:
                    results["rss_1000_mb"] = rss_mb(ours[1])
                    results["bare_rss_1000_mb"] = rss_mb(bare[1])
            results["checkin_200_errors"] = asyncio.run(
                check_in_at_once(ours[0], seed.meeting_id, checkins)
            )
            if max(sizes) >= 1000:
                sides = ((port, ours_fleet, change), (bare_port, bare_fleet, notify))
                results |= restart(processes, env, instance, seed, sides)
                bare_fleet.stop()  # (idle from here: its tablets would only take memory)
                one = (ours[0], ours_fleet)
                results |= two_processes(processes, env, instance, seed, one, rounds)
    report = summarise(results, time.monotonic() - started)
    print(json.dumps(report, indent=2, ensure_ascii=False))
    if not argv:
        write(report)
    return 0


def rounds_at(n, rounds, change, notify, ours: Fleet, bare: Fleet) -> dict[str, Samples]:
    samples = {"ours": Samples(), "bare": Samples()}
    for number in range(WARMUP + rounds):
        order = [("ours", ours, change), ("bare", bare, notify)]
        for name, fleet, trigger in order if number % 2 == 0 else order[::-1]:
            sent = time.time()
            trigger()
            arrivals, missing = fleet.collect(ROUND_WAIT_S)
            if number >= WARMUP:
                samples[name].shown_ms += [(t - sent) * 1000 for t in arrivals]
                samples[name].missing += missing
            time.sleep(PAUSE_S)
    for name, got in samples.items():
        print(
            f"N={n} {name}: shown p50 {percentile(got.shown_ms, 50):.1f} ms, "
            f"p99 {percentile(got.shown_ms, 99):.1f} ms, missing {got.missing}",
            flush=True,
        )
    return samples


def shown_keys(n: int, samples: dict[str, Samples]) -> dict[str, Any]:
    """Return ``live_{n}_all_shown_p50/p99_ms``, the bare server's, and their ratio."""
    keys: dict[str, Any] = {}
    for name, prefix in (("ours", f"live_{n}_all_shown"), ("bare", f"bare_{n}_shown")):
        got = samples[name]
        values = got.shown_ms + [math.inf] * got.missing
        keys[f"{prefix}_p50_ms"] = rounded_ms(percentile(values, 50))
        keys[f"{prefix}_p99_ms"] = rounded_ms(percentile(values, 99))
        keys[f"{prefix}_missing"] = got.missing
    ours, bare = keys[f"live_{n}_all_shown_p99_ms"], keys[f"bare_{n}_shown_p99_ms"]
    keys[f"live_{n}_ratio_vs_bare"] = round(ours / bare, 2) if ours and bare else None
    return keys


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    raise RuntimeError("no VmRSS")


# --- people signing in while a change goes out ------------------------------------------------


def seed_accounts(env: dict[str, str], count: int) -> list[str]:
    """Create ``count`` people who sign in with a real argon2 password; return their names."""
    from meeting_server.extensions import db
    from meeting_server.models import Role
    from meeting_server.services.audit import client_address
    from meeting_server.services.users import create_user

    app = bench_app(env)
    names = [f"dangnhap{i}" for i in range(1, count + 1)]
    with app.app_context():
        client_address.set("bench")
        for name in names:
            create_user(
                None,
                username=name,
                full_name=f"Người đăng nhập {name[8:]}",
                password=SIGN_IN_PASSWORD,
                roles=[Role.PARTICIPANT],
            )
        db.session.commit()
    db.engine.dispose()
    return names


def during_sign_ins(n, rounds, change, fleet: Fleet, base: str, names: list[str]) -> dict:
    """Rounds of the same change while ``names`` all sign in at once (argon2 each)."""
    shown: list[float] = []
    missing = 0
    with ThreadPoolExecutor(max_workers=len(names)) as pool:
        for number in range(WARMUP + rounds):
            signing = [pool.submit(_sign_in, base, name) for name in names]
            time.sleep(0.05)  # the sign-ins are hashing now
            sent = time.time()
            change()
            arrivals, lost = fleet.collect(ROUND_WAIT_S)
            refused = [f.result() for f in signing].count(False)
            if refused:
                raise RuntimeError(f"{refused} sign-ins failed")
            if number >= WARMUP:
                shown += [(t - sent) * 1000 for t in arrivals]
                missing += lost
            time.sleep(PAUSE_S)
    p99 = rounded_ms(percentile(shown + [math.inf] * missing, 99))
    print(f"N={n} while {len(names)} sign in: shown p99 {p99} ms", flush=True)
    return {f"live_{n}_signing_in_shown_p99_ms": p99}


def _sign_in(base: str, username: str) -> bool:
    http = requests.Session()
    page = http.get(base + "/login", timeout=30).text
    token = re.search(r'name="csrf_token"[^>]*?value="([^"]*)"', page)
    form = {"username": username, "password": SIGN_IN_PASSWORD}
    form["csrf_token"] = token.group(1) if token else ""
    answer = http.post(base + "/login", data=form, allow_redirects=False, timeout=30)
    return answer.status_code == 302


# --- a full room checking in --------------------------------------------------------------------


def mint_checkins(env: dict[str, str], seed: Seed, count: int) -> list[tuple[str, str]]:
    """Return (cookie, CSRF token) for the first ``count`` participants."""
    from fanout_bench import mint_session
    from sqlalchemy import select

    from meeting_server.extensions import db
    from meeting_server.models import User

    app = bench_app(env)
    with app.app_context():
        names = [f"daibieu{i}" for i in range(1, count + 1)]
        ids = list(db.session.scalars(select(User.id).where(User.username.in_(names))))
    pairs = [mint_session(app, user_id) for user_id in ids]
    db.engine.dispose()
    return pairs


async def check_in_at_once(base: str, meeting_id: int, people: list[tuple[str, str]]) -> int:
    """Every person presses *Điểm danh* at the same instant; return how many were not 200."""
    url = f"{base}/tablet/meetings/{meeting_id}/check-in"
    start = asyncio.Event()
    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as http:

        async def press(cookie: str, token: str) -> int:
            headers = {"Cookie": cookie, "X-CSRFToken": token, "Accept": "application/json"}
            await start.wait()
            body = {"online": False}
            async with http.post(url, json=body, headers=headers, timeout=timeout) as answer:
                return answer.status

        tasks = [asyncio.create_task(press(cookie, token)) for cookie, token in people]
        await asyncio.sleep(0.5)  # every request waits for the start
        start.set()
        statuses = await asyncio.gather(*tasks)
    errors = sum(1 for status in statuses if status != 200)
    counts = {status: statuses.count(status) for status in sorted(set(statuses))}
    print(f"{len(people)} check-ins at once: {errors} errors (answers: {counts})", flush=True)
    return errors


# --- kill -9 and restart ----------------------------------------------------------------------


def restart(processes, env, instance, seed, sides) -> dict[str, Any]:
    """Kill each server, start it again, make one change; time until every tablet is current.

    ``sides``: (port, fleet, trigger) of our server, then of the bare one.
    """
    keys: dict[str, Any] = {}
    for index, (name, (port, fleet, trigger)) in enumerate(
        zip(("ours", "bare"), sides, strict=True)
    ):
        old = processes.servers[index]
        os.kill(old.pid, signal.SIGKILL)
        old.wait(timeout=10)
        fleet.tell({"cmd": "come_back"})
        if name == "ours":
            command, server_env_ = serve_command(port), env
        else:
            command = [sys.executable, str(BENCH / "fanout_bare.py"), "--port", str(port)]
            server_env_ = dict(os.environ)
        _base, pid = processes.server(f"{name}-restarted", command, server_env_, port, instance)
        up = time.time()
        fleet.server_pid = pid
        trigger()  # one change right after the restart, on the same port
        if name == "ours":
            expected = meeting_seq(env, seed.meeting_id)
        else:  # the bare server numbers from 1 again; its join ack says the last number
            expected = 1
        fleet.tell({"cmd": "expect", "seq": expected})
        reports = fleet.reports("current", 90)
        times = [t for report in reports if report for t in report["times"]]
        complete = all(reports) and len(times) == fleet.size
        last = max(times) - up if complete else math.inf
        key = "restart_1000_all_current_s" if name == "ours" else "bare_restart_1000_all_current_s"
        keys[key] = round(last, 2) if math.isfinite(last) else None
        print(f"restart {name}: {len(times)}/{fleet.size} current after {last:.2f} s", flush=True)
    return keys


def summarise(results: dict[str, Any], seconds: float) -> dict[str, Any]:
    targets: dict[str, Any] = {}
    for key in [k for k in results if k.endswith("_signing_in_shown_p99_ms")]:
        idle = results.get(key.replace("_signing_in_shown_", "_all_shown_"))
        busy = results[key]
        ratio_key = key.replace("_shown_p99_ms", "_ratio_vs_idle")
        results[ratio_key] = round(busy / idle, 2) if busy and idle else None
        targets[ratio_key] = at_most(TARGET_RATIO, results[ratio_key])
    for n, limit in TARGETS_MS.items():
        measured = results.get(f"live_{n}_all_shown_p99_ms")
        ratio = results.get(f"live_{n}_ratio_vs_bare")
        if measured is None and ratio is None:
            continue
        targets[f"live_{n}_all_shown_p99_ms"] = at_most(limit, measured, "ms")
        targets[f"live_{n}_ratio_vs_bare"] = at_most(TARGET_RATIO, ratio)
    if "restart_1000_all_current_s" in results:
        measured = results["restart_1000_all_current_s"]
        targets["restart_1000_all_current_s"] = at_most(TARGET_RESTART_S, measured, "s")
    if "rss_1000_mb" in results:
        targets["rss_1000_mb"] = at_most(TARGET_RSS_MB, results["rss_1000_mb"], "mb")
    targets |= busy_targets(results)
    targets["checkin_200_errors"] = at_most(0, results.get("checkin_200_errors"))
    results["live_rounds"] = ROUNDS
    results["live_client_processes"] = CLIENT_PROCESSES
    results["live_bench_seconds"] = round(seconds)
    results["live_measured_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    return {"results": results, "targets": targets}


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

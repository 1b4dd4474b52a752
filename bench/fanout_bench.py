"""Fan-out speed (issue 4): how long until every tablet in the room has the secretary's change.

Run with `make bench` (or `.venv/bin/python bench/fanout_bench.py`). Loopback only; every loop,
wait and process is bounded, and every process started here is stopped by its PID.

**Ours.** ``meeting-server serve`` (one gevent process, WebSocket through simple-websocket) on a
temporary instance with SQLite. Seeded in this process through the app's own services: a
secretary, a chair, 1,000 participants, one room, one published meeting with one agenda item
and all 1,000 invited. N tablets (50, 200, 500, 1000) connect over the WebSocket transport with
a signed-in session each and ``join_meeting`` (which checks ``can_view_meeting``). A round: the
secretary, signed in through the real login form, saves the meeting's edit form (a real
``POST /meetings/<id>/edit`` with session and CSRF token: view → ``update_meeting`` →
``record_notice`` → commit → broadcast); latency = from just before that request is sent to
each tablet's arrival of the ``meeting_updated`` notice (``time.time()``, same machine).

**Tablet sessions are minted**, not typed in: after seeding, each participant's session cookie
is a server-side session opened by ``auth.start_session`` (what signing in does) in a cookie
signed with the app's own serializer, so the server checks exactly what it checks for a
browser. Typing 1,000 passwords would mostly measure argon2 (≈140 ms each). For the same
reason the participants' (unused) password hashes are made with cheap argon2 parameters while
seeding; the secretary's is real, and the login limits are raised in the server's environment
anyway.

**Bare** (``bench/fanout_bare.py``): a python-socketio server on the same stack (gevent
monkey-patched, pywsgi, simple-websocket); ``POST /notify`` emits a notice of the same shape to
a room holding the same N clients. Rounds alternate ours / bare, so both see the same noise.

Clients: ``CLIENT_PROCESSES`` processes per server (``bench/fanout_tablets.py``), each with
asyncio python-socketio clients. Reported per N: p50/p99 over all (tablet, round) samples (a
tablet that missed a notice counts as infinitely late), the median over rounds of the last
tablet's time, the median HTTP request time, and the CPU time per round of the server and of
the tablets (from ``/proc``). Results are merged into bench/results/latest.json.

``fanout_bench.py 50,1000 [ROUNDS]`` takes a quick look and writes nothing; set
``FANOUT_INSTANCE=/some/folder`` to keep the instance and the processes' logs.
"""

from __future__ import annotations

import json
import math
import os
import re
import secrets
import signal
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import requests
from fanout_processes import (
    BENCH,
    CLIENT_PROCESSES,
    Fleet,
    Processes,
    free_port,
    raise_open_files_limit,
    rounded_ms,
)

SIZES = (50, 200, 500, 1000)
ROUNDS = 20  # measured rounds per N and server, after WARMUP
WARMUP = 2
PAUSE_S = 0.25  # between rounds: let the machine settle
ROUND_WAIT_S = 20.0  # the longest a round may take before its missing tablets are counted
TARGET_P99_MS = 150.0
TARGET_RATIO = 1.3
PARTICIPANTS = 1000

RESULTS = BENCH / "results" / "latest.json"
SECRETARY = "thuky"
SECRETARY_PASSWORD = secrets.token_urlsafe(16)


@dataclass(frozen=True)
class Seed:
    """What the seeding step created: the meeting, the edit form values, the tablets' cookies."""

    meeting_id: int
    room_id: int
    chair_id: int
    cookies: list[str]


@dataclass
class Samples:
    """Latencies of one server at one N."""

    latencies_ms: list[float] = field(default_factory=list)
    last_ms: list[float] = field(default_factory=list)
    request_ms: list[float] = field(default_factory=list)
    missing: int = 0
    server_cpu_s: float = 0.0  # CPU time of the server process during the rounds
    client_cpu_s: float = 0.0  # CPU time of the tablet processes during the rounds


def main(argv: list[str]) -> int:
    """Measure; ``fanout_bench.py 50,200 [ROUNDS]`` is a quick look that writes no results."""
    sizes = tuple(int(n) for n in argv[0].split(",")) if argv else SIZES
    rounds = int(argv[1]) if len(argv) > 1 else ROUNDS
    raise_open_files_limit()
    # SIGTERM ends the bench through the ``finally`` blocks that stop every process started.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="fanout-") as folder:
        instance = Path(os.environ.get("FANOUT_INSTANCE") or folder)  # keep logs: set a folder
        instance.mkdir(parents=True, exist_ok=True)
        port, bare_port = free_port(), free_port()
        env = server_env(instance, port)
        print(f"seeding {PARTICIPANTS} participants …", flush=True)
        seed = seed_meeting(instance, env)
        with Processes() as processes:
            ours, bare = processes.ours_and_bare(env, port, bare_port, instance)
            ours_fleet = processes.fleet("ours", ours, seed.meeting_id, instance)
            bare_fleet = processes.fleet("bare", bare, 1, instance)
            triggers = edit_meeting_trigger(ours[0], seed), bare_trigger(bare[0])
            results = measure(sizes, rounds, seed, *triggers, ours_fleet, bare_fleet)
    report = summarise(results, time.monotonic() - started)
    if not argv:
        write(report)
    print_table(results, report)
    return 0  # a missed target is reported (MISSED), not an error: the machines are noisy


def measure(
    sizes: tuple[int, ...],
    rounds: int,
    seed: Seed,
    ours_trigger: Callable[[], None],
    bare_trigger: Callable[[], None],
    ours: Fleet,
    bare: Fleet,
) -> dict[int, dict[str, Samples]]:
    """Grow both fleets through ``SIZES``; at each N alternate rounds on the two servers."""
    results: dict[int, dict[str, Samples]] = {}
    for n in sizes:
        connecting = time.monotonic()
        ours.grow(seed.cookies[ours.size : n])
        bare.grow([""] * (n - bare.size))
        print(f"N={n}: tablets connected in {time.monotonic() - connecting:.0f} s", flush=True)
        time.sleep(1.0)
        samples = {"ours": Samples(), "bare": Samples()}
        for number in range(WARMUP + rounds):
            order = [("ours", ours, ours_trigger), ("bare", bare, bare_trigger)]
            for name, fleet, trigger in order if number % 2 == 0 else order[::-1]:
                cpu_before = fleet.cpu_seconds()
                latencies, missing, request_ms = one_round(fleet, trigger)
                cpu_after = fleet.cpu_seconds()
                if number >= WARMUP:
                    target = samples[name]
                    target.latencies_ms += latencies
                    target.last_ms.append(max(latencies) if latencies else math.inf)
                    target.request_ms.append(request_ms)
                    target.missing += missing
                    target.server_cpu_s += cpu_after[0] - cpu_before[0]
                    target.client_cpu_s += cpu_after[1] - cpu_before[1]
                time.sleep(PAUSE_S)
        results[n] = samples
        for name, got in samples.items():
            print(
                f"N={n} {name}: p50 {percentile(got.latencies_ms, 50):.1f} ms, "
                f"p99 {percentile(got.latencies_ms, 99):.1f} ms, missing {got.missing}, "
                f"requests {sorted(round(ms) for ms in got.request_ms)} ms",
                flush=True,
            )
    return results


def one_round(fleet: Fleet, trigger: Callable[[], None]) -> tuple[list[float], int, float]:
    """Trigger one notice; return the tablets' latencies (ms), how many missed it, request ms."""
    sent = time.time()
    trigger()
    request_ms = (time.time() - sent) * 1000
    arrivals, missing = fleet.collect(ROUND_WAIT_S)
    return [(arrived - sent) * 1000 for arrived in arrivals], missing, request_ms


# --- the two triggers -------------------------------------------------------------------------


def edit_meeting_trigger(base: str, seed: Seed) -> Callable[[], None]:
    """Return a function that saves the meeting's edit form as the signed-in secretary."""
    http = requests.Session()
    login = http.get(base + "/login", timeout=30).text
    reply = http.post(
        base + "/login",
        data={
            "username": SECRETARY,
            "password": SECRETARY_PASSWORD,
            "csrf_token": _input(login, "csrf_token"),
        },
        allow_redirects=False,
        timeout=30,
    )
    if reply.status_code != 302:
        raise RuntimeError(f"the secretary could not sign in: {reply.status_code}")
    url = f"{base}/meetings/{seed.meeting_id}/edit"
    form = http.get(url, timeout=30).text
    fields = {
        "csrf_token": _input(form, "csrf_token"),
        "room_id": str(seed.room_id),
        "starts_at": _input(form, "starts_at"),
        "ends_at": _input(form, "ends_at"),
        "chair_id": str(seed.chair_id),
        "description": "",
    }
    count = iter(range(1, 1_000_000))

    def trigger() -> None:
        data = {**fields, "title": f"Họp giao ban tuần — lần sửa {next(count)}"}
        answer = http.post(url, data=data, allow_redirects=False, timeout=30)
        if answer.status_code != 302:
            raise RuntimeError(f"editing the meeting answered {answer.status_code}")

    return trigger


def bare_trigger(base: str) -> Callable[[], None]:
    """Return a function that asks the bare server to emit one notice."""
    http = requests.Session()

    def trigger() -> None:
        answer = http.post(base + "/notify", timeout=30)
        if answer.status_code != 204:
            raise RuntimeError(f"the bare server answered {answer.status_code}")

    return trigger


def _input(page: str, name: str) -> str:
    match = re.search(rf'name="{name}"[^>]*?value="([^"]*)"', page)
    if match is None:
        raise RuntimeError(f"no {name} field on the page")
    return match.group(1)


# --- seeding through the app's services ------------------------------------------------------


def server_env(instance: Path, port: int) -> dict[str, str]:
    return {
        **os.environ,
        "MEETING_PUBLIC_URL": f"http://127.0.0.1:{port}",
        "MEETING_DATABASE_URL": f"sqlite:///{instance / 'meeting.sqlite3'}",
        "MEETING_STORAGE_DIR": str(instance / "storage"),
        "MEETING_SECRET_KEY": secrets.token_hex(32),
        "MEETING_SESSION_COOKIE_SECURE": "false",  # plain HTTP on loopback
        "MEETING_IDLE_TIMEOUT_MINUTES": "120",  # the minted sessions outlive the bench
        "MEETING_LOGIN_LIMIT_PER_IP": "100000 per minute",
        "MEETING_LOGIN_LIMIT_PER_ACCOUNT": "100000 per minute",
    }


def seed_meeting(instance: Path, env: dict[str, str], participants: int = PARTICIPANTS) -> Seed:
    """Create the people, room and published meeting; mint one session cookie per participant."""
    from meeting_server.extensions import db
    from meeting_server.migrate import upgrade_database
    from meeting_server.models import Role
    from meeting_server.services.agenda import add_item
    from meeting_server.services.audit import client_address
    from meeting_server.services.meetings import create_meeting, publish_meeting
    from meeting_server.services.participants import invite_users
    from meeting_server.services.rooms import create_room
    from meeting_server.services.users import create_user

    upgrade_database(env["MEETING_DATABASE_URL"])
    app = bench_app(env)
    with app.app_context():
        client_address.set("bench")
        secretary = create_user(
            None,
            username=SECRETARY,
            full_name="Nguyễn Thị Thu",
            password=SECRETARY_PASSWORD,
            roles=[Role.SECRETARY],
            unit="Văn phòng",
        )
        with cheap_password_hashes():
            chair = create_user(
                None,
                username="chutich",
                full_name="Trần Văn Minh",
                password=secrets.token_urlsafe(16),
                roles=[Role.LEADER],
                unit="Lãnh đạo",
            )
            people = [
                create_user(
                    None,
                    username=f"daibieu{i}",
                    full_name=f"Đại biểu số {i}",
                    password=secrets.token_urlsafe(16),
                    roles=[Role.PARTICIPANT],
                    unit=f"Sở số {i % 25 + 1}",
                )
                for i in range(1, participants + 1)
            ]
        room = create_room(None, name="Hội trường lớn", location="Tầng 1", seat_count=1000)
        starts = datetime.now(UTC).replace(second=0, microsecond=0) + timedelta(hours=2)
        meeting = create_meeting(
            secretary,
            title="Họp giao ban tuần",
            room=room,
            starts_at=starts,
            ends_at=starts + timedelta(hours=3),
            chair=chair,
        )
        invite_users(secretary, meeting, people)
        add_item(secretary, meeting, title="Báo cáo tình hình kinh tế - xã hội")
        publish_meeting(secretary, meeting)
        db.session.commit()
        cookies = [mint_session(app, person.id)[0] for person in people]
        seed = Seed(meeting.id, room.id, chair.id, cookies)
    db.engine.dispose()
    return seed


def mint_session(app: Any, user_id: int) -> tuple[str, str]:
    """Open a server-side session for ``user_id`` (what signing in does); return its cookie
    and the CSRF header value of that session."""
    from flask import session
    from flask_wtf.csrf import generate_csrf

    from meeting_server.auth import start_session
    from meeting_server.extensions import db
    from meeting_server.models import User

    # A fresh app context each: generate_csrf caches its token in ``g``, which lives there.
    with app.app_context(), app.test_request_context():
        start_session(db.session.get(User, user_id))
        db.session.commit()
        token = generate_csrf()  # stores the raw token in the session, returns the signed one
        value = app.session_interface.get_signing_serializer(app).dumps(dict(session))
        return f"{app.config['SESSION_COOKIE_NAME']}={value}", token


def bench_app(env: dict[str, str]) -> Any:
    """The app on the bench's database and storage (for seeding, outside any server)."""
    from meeting_server import create_app

    return create_app(
        {key: env[f"MEETING_{key}"] for key in ("DATABASE_URL", "STORAGE_DIR", "SECRET_KEY")}
    )


def secretary_and_meeting(seed: Seed) -> tuple[Any, Any]:
    """In an app context: the bench's secretary and meeting (audit rows say "bench")."""
    from sqlalchemy import select

    from meeting_server.extensions import db
    from meeting_server.models import Meeting, User
    from meeting_server.services.audit import client_address

    client_address.set("bench")
    secretary = db.session.scalar(select(User).where(User.username == SECRETARY))
    meeting = db.session.get(Meeting, seed.meeting_id)
    if secretary is None or meeting is None:
        raise RuntimeError("the bench's meeting is not seeded")
    return secretary, meeting


@contextmanager
def cheap_password_hashes() -> Iterator[None]:
    """Hash the seeded participants' passwords cheaply: nobody signs in with them."""
    from argon2 import PasswordHasher

    from meeting_server import passwords

    real = passwords._hasher
    passwords._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    try:
        yield
    finally:
        passwords._hasher = real


# --- results ----------------------------------------------------------------------------------


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (``inf`` for an empty list)."""
    if not values:
        return math.inf
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def summarise(results: dict[int, dict[str, Samples]], seconds: float) -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for n, by_server in results.items():
        for name, prefix in (("ours", "fanout"), ("bare", "bare")):
            samples = by_server[name]
            with_missing = samples.latencies_ms + [math.inf] * samples.missing
            flat[f"{prefix}_{n}_p50_ms"] = rounded_ms(percentile(with_missing, 50))
            flat[f"{prefix}_{n}_p99_ms"] = rounded_ms(percentile(with_missing, 99))
            flat[f"{prefix}_{n}_last_ms"] = rounded_ms(statistics.median(samples.last_ms))
            flat[f"{prefix}_{n}_request_ms"] = rounded_ms(statistics.median(samples.request_ms))
            flat[f"{prefix}_{n}_missing"] = samples.missing
            rounds = len(samples.request_ms)
            flat[f"{prefix}_{n}_server_cpu_ms"] = round(samples.server_cpu_s / rounds * 1000, 1)
            flat[f"{prefix}_{n}_client_cpu_us"] = round(samples.client_cpu_s / rounds / n * 1e6)
        ours, bare = flat[f"fanout_{n}_p99_ms"], flat[f"bare_{n}_p99_ms"]
        flat[f"fanout_{n}_ratio_vs_bare"] = round(ours / bare, 2) if ours and bare else None
    p99, ratio = flat.get("fanout_1000_p99_ms"), flat.get("fanout_1000_ratio_vs_bare")
    targets = {
        "fanout_1000_p99_ms": {
            "target_ms": TARGET_P99_MS,
            "measured_ms": p99,
            "met": p99 is not None and p99 <= TARGET_P99_MS,
        },
        "fanout_1000_ratio_vs_bare": {
            "target": TARGET_RATIO,
            "measured": ratio,
            "met": ratio is not None and ratio <= TARGET_RATIO,
        },
    }
    flat["fanout_rounds"] = ROUNDS
    flat["fanout_client_processes"] = CLIENT_PROCESSES
    flat["fanout_bench_seconds"] = round(seconds)
    flat["fanout_measured_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    return {"results": flat, "targets": targets}


def finish(report: dict[str, Any], quick: list[str]) -> int:
    """Merge ``report`` into the results unless this is a quick look (``quick``: the command's
    arguments), print it, and return the exit status (a missed target is not an error)."""
    if not quick:
        write(report)
    print(json.dumps(report, indent=2))
    return 0


def write(report: dict[str, Any]) -> None:
    RESULTS.parent.mkdir(exist_ok=True)
    existing = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    existing.update(report["results"])
    existing.setdefault("targets", {}).update(report["targets"])
    temporary = RESULTS.with_suffix(".tmp")
    temporary.write_text(json.dumps(existing, indent=2, sort_keys=True) + "\n")
    temporary.replace(RESULTS)


COLUMNS = (  # (heading, key pattern)
    ("ours p50", "fanout_{n}_p50_ms"),
    ("p99", "fanout_{n}_p99_ms"),
    ("last", "fanout_{n}_last_ms"),
    ("request", "fanout_{n}_request_ms"),
    ("cpu/round", "fanout_{n}_server_cpu_ms"),
    ("bare p50", "bare_{n}_p50_ms"),
    ("p99", "bare_{n}_p99_ms"),
    ("last", "bare_{n}_last_ms"),
    ("cpu/round", "bare_{n}_server_cpu_ms"),
    ("ratio p99", "fanout_{n}_ratio_vs_bare"),
    ("client µs", "fanout_{n}_client_cpu_us"),
)


def print_table(results: dict[int, dict[str, Samples]], report: dict[str, Any]) -> None:
    """Print one line per N (milliseconds; client µs = tablet-side CPU per notice)."""
    flat = report["results"]
    print(f"{'N':>5} " + " ".join(f"{heading:>9}" for heading, _ in COLUMNS))
    for n in results:
        print(f"{n:>5} " + " ".join(f"{flat[key.format(n=n)]!s:>9}" for _, key in COLUMNS))
    for key, target in report["targets"].items():
        limit = target.get("target_ms", target.get("target"))
        measured = target.get("measured_ms", target.get("measured"))
        print(f"target {key}: {measured} ≤ {limit} → {'met' if target['met'] else 'MISSED'}")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""The live meeting when it is busy (issue 12), measured by ``bench/live_bench.py``.

* **A page turn while a change goes out** (``live_{n}_page_turn_busy_p99_ms`` against
  ``live_{n}_page_turn_idle_p99_ms`` in the same run): the chair presents a document and turns
  its page over the open connection (``present_page``); a tablet has *shown* the page turn once
  it holds the turn's ``seq``. Busy: the secretary saves the meeting's edit form just before,
  so the turn goes out behind that change's notice to every tablet. Rounds alternate.
* **Two server processes and Redis** (``live_1000_redis2_ratio``): two ``meeting-server
  serve`` processes on the same database, joined by Redis as Socket.IO's message queue, half of
  the 1,000 tablets on each; the change is saved on the first. Its "every tablet shows it" p99
  against the single process's in rounds alternating with it.
"""

from __future__ import annotations

import io
import math
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import socketio
from fanout_bench import (
    Seed,
    bench_app,
    edit_meeting_trigger,
    percentile,
    secretary_and_meeting,
)
from fanout_processes import Fleet, Processes, free_port, rounded_ms, serve_command

WARMUP = 2
ROUND_WAIT_S = 30.0
PAUSE_S = 0.5
TARGET_BUSY_RATIO = 2.0
TARGET_REDIS_RATIO = 1.3
REDIS_URL = os.environ.get("LIVE_REDIS_URL", "redis://127.0.0.1:6379/14")


@dataclass(frozen=True)
class Presenting:
    """The document the chair presents, and the chair's session."""

    document_id: int
    version: int
    page_count: int
    cookie: str


def prepare_presenting(env: dict[str, str], seed: Seed) -> Presenting:
    """Put a three-page document on the first item and start the meeting."""
    from fanout_bench import mint_session
    from fpdf import FPDF

    from meeting_server.extensions import db
    from meeting_server.services.documents import add_document
    from meeting_server.services.presentations import start_meeting

    pdf = FPDF()
    pdf.set_font("helvetica", size=14)
    for page in range(1, 4):
        pdf.add_page()
        pdf.cell(0, 10, f"Report, page {page}")
    app = bench_app(env)
    with app.app_context():
        secretary, meeting = secretary_and_meeting(seed)
        document = add_document(
            secretary,
            meeting.agenda_items[0],
            stream=io.BytesIO(bytes(pdf.output())),
            filename="bao-cao.pdf",
            title="Báo cáo",
        )
        start_meeting(secretary, meeting)
        db.session.commit()
        cookie, _token = mint_session(app, seed.chair_id)
        presenting = Presenting(document.id, document.current.number, 3, cookie)
    db.engine.dispose()
    return presenting


def page_turns(
    n: int,
    rounds: int,
    env: dict[str, str],
    base: str,
    seed: Seed,
    fleet: Fleet,
    presenting: Presenting,
) -> dict[str, Any]:
    """Page turns to ``n`` tablets, idle and right behind a change; p99 of each and the ratio."""
    change = edit_meeting_trigger(base, seed)
    chair = socketio.Client(reconnection=False)
    chair.connect(base, transports=["websocket"], headers={"Cookie": presenting.cookie})
    shown: dict[bool, list[float]] = {False: [], True: []}
    missing = {False: 0, True: 0}
    try:
        for number in range(WARMUP + rounds):
            for busy in (False, True) if number % 2 == 0 else (True, False):
                if busy:
                    change()  # its notice is on its way to every tablet
                sent = time.time()
                ack = chair.call(
                    "present_page",
                    {
                        "document_id": presenting.document_id,
                        "version": presenting.version,
                        "page": number % presenting.page_count + 1,
                        "zoom": 100 + busy,
                    },
                    timeout=30,
                )
                if not ack or not ack.get("ok"):
                    raise RuntimeError(f"the page turn was refused: {ack}")
                fleet.tell({"cmd": "expect", "seq": int(ack["seq"])})
                reports = fleet.reports("current", ROUND_WAIT_S * 2)
                times = [t for report in reports if report for t in report["times"]]
                if number >= WARMUP:
                    shown[busy] += [(t - sent) * 1000 for t in times]
                    missing[busy] += fleet.size - len(times)
                time.sleep(PAUSE_S)
    finally:
        chair.disconnect()
    fleet.skip_to(meeting_seq(env, seed.meeting_id))  # the changes' own reports come late
    keys: dict[str, Any] = {}
    for busy, name in ((False, "idle"), (True, "busy")):
        values = shown[busy] + [math.inf] * missing[busy]
        keys[f"live_{n}_page_turn_{name}_p99_ms"] = rounded_ms(percentile(values, 99))
    idle, busy_p99 = (
        keys[f"live_{n}_page_turn_idle_p99_ms"],
        keys[f"live_{n}_page_turn_busy_p99_ms"],
    )
    keys[f"live_{n}_page_turn_busy_ratio"] = (
        round(busy_p99 / idle, 2) if idle and busy_p99 else None
    )
    print(f"N={n} page turn p99: idle {idle} ms, behind a change {busy_p99} ms", flush=True)
    return keys


def two_processes(
    processes: Processes,
    env: dict[str, str],
    log_dir: Path,
    seed: Seed,
    one: tuple[str, Fleet],
    rounds: int,
) -> dict[str, Any]:
    """Half the tablets on each of two processes joined by Redis, against one process."""
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as error:
        print(f"two processes + Redis: skipped, no Redis at {REDIS_URL} ({error})", flush=True)
        return {"live_1000_redis2_ratio": None}
    one_base, one_fleet = one
    one_fleet.skip_to(meeting_seq(env, seed.meeting_id))  # (the restart's change came late)
    shared = {**env, "MEETING_SOCKETIO_MESSAGE_QUEUE": REDIS_URL}
    servers, fleets = [], []
    for index, cookies in enumerate((seed.cookies[:500], seed.cookies[500:1000])):
        port = free_port()
        server = processes.server(f"redis-{index + 1}", serve_command(port), shared, port, log_dir)
        fleet = processes.fleet(
            f"redis-{index + 1}", server, seed.meeting_id, log_dir, one_fleet.command
        )
        fleet.grow(cookies)
        servers.append(server)
        fleets.append(fleet)
    time.sleep(1.0)
    changes = {
        "one": edit_meeting_trigger(one_base, seed),
        "two": edit_meeting_trigger(servers[0][0], seed),
    }
    shown: dict[str, list[float]] = {"one": [], "two": []}
    missing = {"one": 0, "two": 0}
    for number in range(WARMUP + rounds):
        order = ("one", "two") if number % 2 == 0 else ("two", "one")
        for name in order:
            sent = time.time()
            changes[name]()
            got = (
                [one_fleet.collect(ROUND_WAIT_S)]
                if name == "one"
                else [fleet.collect(ROUND_WAIT_S) for fleet in fleets]
            )
            if number >= WARMUP:
                for arrivals, lost in got:
                    shown[name] += [(t - sent) * 1000 for t in arrivals]
                    missing[name] += lost
            time.sleep(PAUSE_S)
    for fleet in fleets:
        fleet.stop()
    p99 = {
        name: rounded_ms(percentile(shown[name] + [math.inf] * missing[name], 99)) for name in shown
    }
    ratio = round(p99["two"] / p99["one"], 2) if p99["one"] and p99["two"] else None
    print(f"N=1000 two processes + Redis p99 {p99['two']} ms, one {p99['one']} ms", flush=True)
    return {
        "live_1000_redis2_all_shown_p99_ms": p99["two"],
        "live_1000_one_process_all_shown_p99_ms": p99["one"],
        "live_1000_redis2_missing": missing["two"],
        "live_1000_redis2_ratio": ratio,
    }


def targets(results: dict[str, Any]) -> dict[str, Any]:
    """The targets of these measurements, for ``live_bench.summarise``."""
    found = {
        key: at_most(TARGET_BUSY_RATIO, results[key])
        for key in results
        if key.endswith("_page_turn_busy_ratio")
    }
    if "live_1000_redis2_ratio" in results:
        found["live_1000_redis2_ratio"] = at_most(
            TARGET_REDIS_RATIO, results["live_1000_redis2_ratio"]
        )
    return found


def at_most(limit: float, measured: float | None, unit: str = "") -> dict[str, Any]:
    """A target entry of ``latest.json``: met when ``measured`` is known and ≤ ``limit``."""
    suffix = f"_{unit}" if unit else ""
    return {
        f"target{suffix}": limit,
        f"measured{suffix}": measured,
        "met": measured is not None and measured <= limit,
    }


def meeting_seq(env: dict[str, str], meeting_id: int) -> int:
    """Read the meeting's seq straight from the database (after the change committed)."""
    import sqlalchemy as sa

    engine = sa.create_engine(env["MEETING_DATABASE_URL"])
    with engine.connect() as connection:
        seq = connection.execute(
            sa.text("SELECT seq FROM meeting WHERE id = :id"), {"id": meeting_id}
        )
        value = int(seq.scalar_one())
    engine.dispose()
    return value

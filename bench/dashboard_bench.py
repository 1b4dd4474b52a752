"""The leaders' dashboard with five years of an office (issue 16), on SQLite and PostgreSQL.

``meeting-server serve`` (gevent) on a temporary instance whose database holds five years
(``bench/dashboard_data.py``: ≈2,000 meetings in 5 rooms, ≈45,000 invitations and their
check-ins, ≈7,000 document versions, 2,000 completed signing routes, ≈20,000 tasks in every
state). The chair signs in; measured over HTTP from this process, a new connection for each
request (a kept-alive one adds TCP's delayed ACK to every answer on loopback):

* **baseline in the same run**: the same page on an office with its people and nothing else
  (``dashboard_empty_p95_ms``);
* ``dashboard_5y_p95_ms``: ``GET /office/`` (the last 12 months, everything on it), target
  ≤ 300 ms; ``dashboard_5y_60m_p95_ms``: the whole five years (``?months=60``);
* ``dashboard_5y_xlsx_p50_ms``: the workbook of the default page.

The same on PostgreSQL (a throw-away database on ``MEETING_BENCH_POSTGRES``, by default the
CI's ``postgresql+psycopg://postgres@127.0.0.1:5432``) when it answers; otherwise the results
say it was not reachable. Loopback only; every loop and wait bounded; the servers are
stopped by their PIDs and the database dropped. ``dashboard_bench.py quick`` takes fewer
samples and writes no results.
"""

from __future__ import annotations

import os
import socket
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import dashboard_data
import requests
from fanout_bench import bench_app, finish, percentile, server_env
from fanout_processes import Processes, free_port, serve_command
from signing_route_bench import PASSWORD, signed_in

ROUNDS = 40
QUICK_ROUNDS = 8
WARM_UP = 3
TARGET_P95_MS = 300.0
POSTGRES = os.environ.get("MEETING_BENCH_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432")


def timed_gets(http: requests.Session, url: str, rounds: int) -> list[float]:
    """GET ``url`` ``rounds`` times after a warm-up (each on a new connection, with the
    session's cookies); return the times in ms."""
    times = []
    for index in range(WARM_UP + rounds):
        started = time.perf_counter()
        # Not the session's pool: a connection the server is closing could be picked again.
        answer = requests.get(
            url, cookies=http.cookies, timeout=60, headers={"Connection": "close"}
        )
        elapsed = (time.perf_counter() - started) * 1000
        if answer.status_code != 200:
            raise RuntimeError(f"{url} answered {answer.status_code}: {answer.text[:200]}")
        if index >= WARM_UP:
            times.append(elapsed)
    return times


def measure(database_url: str, *, filled: bool, rounds: int) -> dict[str, Any]:
    """Seed a fresh database (five years, or only the people), serve it, time the page."""
    from meeting_server.migrate import upgrade_database

    with tempfile.TemporaryDirectory(prefix="dashboard-") as folder:
        instance = Path(folder)
        port = free_port()
        env = {**server_env(instance, port), "MEETING_DATABASE_URL": database_url}
        upgrade_database(database_url)
        started = time.perf_counter()
        rows = _seed(env, filled)
        seeded_s = time.perf_counter() - started
        with Processes() as processes:
            base, _pid = processes.server("ours", serve_command(port), env, port, instance)
            try:
                times = _pages(base, filled, rounds)
            except requests.RequestException:
                print((instance / "ours.log").read_text()[-3000:], file=sys.stderr)
                raise
    return {**times, "rows": rows, "seed_s": seeded_s}


def _pages(base: str, filled: bool, rounds: int) -> dict[str, list[float]]:
    http = signed_in(base, "chutich")
    page = timed_gets(http, f"{base}/office/", rounds)
    if not filled:
        return {"page": page}
    whole = timed_gets(http, f"{base}/office/?months=60", max(rounds // 4, 3))
    xlsx = timed_gets(http, f"{base}/office/workbook.xlsx", max(rounds // 8, 3))
    return {"page": page, "whole": whole, "xlsx": xlsx}


def _seed(env: dict[str, str], filled: bool) -> dict[str, int]:
    app = bench_app(env)
    now = datetime.now(UTC)
    if filled:
        rows = dashboard_data.build(app, PASSWORD, now)
    else:
        rows = dashboard_data.build_people(app, PASSWORD)
    from meeting_server.extensions import db

    with app.app_context():
        db.engine.dispose()
    return rows


def on_database(name: str, url_of: Any, rounds: int) -> dict[str, Any]:
    """Measure the empty office and the five years on databases made by ``url_of()``."""
    print(f"{name}: the empty office …", flush=True)
    with url_of() as url:
        empty = measure(url, filled=False, rounds=rounds)
    print(f"{name}: five years …", flush=True)
    with url_of() as url:
        full = measure(url, filled=True, rounds=rounds)
    p95 = percentile(full["page"], 95)
    return {
        "dashboard_empty_p50_ms": round(statistics.median(empty["page"]), 1),
        "dashboard_empty_p95_ms": round(percentile(empty["page"], 95), 1),
        "dashboard_5y_p50_ms": round(statistics.median(full["page"]), 1),
        "dashboard_5y_p95_ms": round(p95, 1),
        "dashboard_5y_ratio_vs_empty": round(p95 / percentile(empty["page"], 95), 2),
        "dashboard_5y_60m_p50_ms": round(statistics.median(full["whole"]), 1),
        "dashboard_5y_60m_p95_ms": round(percentile(full["whole"], 95), 1),
        "dashboard_5y_xlsx_p50_ms": round(statistics.median(full["xlsx"]), 1),
        "rounds": len(full["page"]),
        "seed_s": round(full["seed_s"], 1),
        "rows": full["rows"],
    }


@contextmanager
def sqlite_url() -> Iterator[str]:
    with tempfile.TemporaryDirectory(prefix="dashboard-db-") as folder:
        yield f"sqlite:///{Path(folder) / 'meeting.sqlite3'}"


@contextmanager
def postgres_url() -> Iterator[str]:
    """A throw-away PostgreSQL database, dropped afterwards."""
    import sqlalchemy as sa

    from meeting_server.extensions import make_engine

    name = f"meeting_bench_{uuid.uuid4().hex[:10]}"
    admin = make_engine(f"{POSTGRES}/test", isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield f"{POSTGRES}/{name}"
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()


def postgres_reachable() -> bool:
    """Tell whether something listens where ``MEETING_BENCH_POSTGRES`` points (host:port)."""
    host_port = POSTGRES.rsplit("@", 1)[-1].split("/")[0]
    host, _, port = host_port.partition(":")
    try:
        socket.create_connection((host or "127.0.0.1", int(port or 5432)), timeout=2).close()
    except OSError:
        return False
    return True


def main(argv: list[str]) -> int:
    rounds = QUICK_ROUNDS if argv else ROUNDS
    results: dict[str, Any] = {"sqlite": on_database("SQLite", sqlite_url, rounds)}
    if postgres_reachable():
        results["postgresql"] = on_database("PostgreSQL", postgres_url, rounds)
    else:
        results["postgresql"] = {"skipped": f"PostgreSQL not reachable at {POSTGRES}"}
    results["measured_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    targets = {
        f"dashboard_5y_p95_ms_{name}": {
            "measured_ms": figures["dashboard_5y_p95_ms"],
            "target_ms": TARGET_P95_MS,
            "met": figures["dashboard_5y_p95_ms"] <= TARGET_P95_MS,
        }
        for name, figures in results.items()
        if isinstance(figures, dict) and "dashboard_5y_p95_ms" in figures
    }
    return finish({"results": {"dashboard": results}, "targets": targets}, argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""A working meeting day, compressed (issue 14): a long run with everything happening at once.

Run with `make bench` (15 minutes) or `.venv/bin/python bench/soak.py MINUTES` for a shorter
look that writes nothing. Loopback only; every loop is bounded in count and time, and every
process started here is stopped by its PID.

``meeting-server serve`` on SQLite with 300 participants, each tablet with its own session
(the fan-out bench's seeding and tablet processes), the meeting in progress. First the idle
baseline: changes with nothing else going on, each timed until every tablet holds it. Then,
for the run, while changes keep being timed the same way:

* the chair opens a vote every ``VOTE_EVERY_S``; the 50 members checked in cast their ballots
  at once; the chair closes it;
* participants download the agenda's document (``DOWNLOAD_EVERY_S``);
* someone signs in with a real (argon2) password (``SIGN_IN_EVERY_S``);
* an anonymous visitor has a PDF checked at ``/verify`` (``VERIFY_EVERY_S``).

``soak_errors``: every answer that is not the expected one, every notice a tablet missed and
every tablet that lost its connection. ``soak_rss_growth_pct``: the server's resident memory
at the end against after the first minute of load. ``soak_tablet_p99_ms`` against
``soak_idle_p99_ms``: what a person at a tablet sees, busy against idle.
"""

from __future__ import annotations

import io
import json
import os
import random
import re
import signal
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import requests
from fanout_bench import bench_app, edit_meeting_trigger, percentile, seed_meeting, server_env
from fanout_bench import write as write_results
from fanout_processes import Processes, free_port, raise_open_files_limit, rounded_ms, serve_command
from live_bench import SIGN_IN_PASSWORD, mint_checkins, rss_mb, seed_accounts
from live_busy import prepare_presenting

MINUTES = 15
PARTICIPANTS = 300
VOTERS = 50
IDLE_ROUNDS = 20
CHANGE_EVERY_S = 3.0
VOTE_EVERY_S = 30.0
DOWNLOAD_EVERY_S = 0.5
SIGN_IN_EVERY_S = 10.0
VERIFY_EVERY_S = 15.0
ROUND_WAIT_S = 30.0
TARGET_RSS_GROWTH_PCT = 10.0
TARGET_RATIO = 3.0


class Load:
    """Everything but the timed changes, on background threads, counting what went wrong."""

    def __init__(self, base: str, meeting_id: int, item_id: int, document: Any, people: Any):
        self.base, self.meeting_id, self.item_id, self.document = (
            base,
            meeting_id,
            item_id,
            document,
        )
        self.chair, self.voters, self.readers, self.names = people
        self.errors: Counter[str] = Counter()
        self.done: Counter[str] = Counter()
        self.stop = threading.Event()
        self.threads = [
            threading.Thread(target=self._every, args=(every, work), daemon=True)
            for every, work in (
                (VOTE_EVERY_S, self.vote),
                (DOWNLOAD_EVERY_S, self.download),
                (SIGN_IN_EVERY_S, self.sign_in),
                (VERIFY_EVERY_S, self.verify),
            )
        ]

    def start(self) -> None:
        for thread in self.threads:
            thread.start()

    def finish(self) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=120)

    def _every(self, every: float, work: Any) -> None:
        while not self.stop.wait(every * random.uniform(0.8, 1.2)):  # noqa: S311 — timing only
            try:
                work()
            except Exception as error:  # a refused connection, a timeout: an error, go on
                self.errors[f"{work.__name__}: {type(error).__name__}"] += 1

    def _expect(self, what: str, answer: requests.Response, *statuses: int) -> bool:
        if answer.status_code in statuses:
            self.done[what] += 1
            return True
        self.errors[f"{what}: {answer.status_code}"] += 1
        return False

    def vote(self) -> None:
        cookie, token = self.chair
        headers = {"Cookie": cookie, "X-CSRFToken": token, "Accept": "application/json"}
        opened = requests.post(
            f"{self.base}/tablet/meetings/{self.meeting_id}/votes",
            json={"item_id": self.item_id, "question": "Thông qua báo cáo?"},
            headers=headers,
            timeout=30,
        )
        if not self._expect("vote.open", opened, 200):
            return
        vote_id = opened.json()["vote_id"]

        def cast(pair: tuple[str, str]) -> requests.Response:
            voter = {"Cookie": pair[0], "X-CSRFToken": pair[1], "Accept": "application/json"}
            url = f"{self.base}/tablet/votes/{vote_id}/ballot"
            return requests.post(url, json={"choice": 0}, headers=voter, timeout=30)

        with ThreadPoolExecutor(max_workers=VOTERS) as pool:
            for answer in pool.map(cast, self.voters):
                self._expect("vote.ballot", answer, 200)
        closed = requests.post(
            f"{self.base}/tablet/votes/{vote_id}/close", headers=headers, timeout=30
        )
        self._expect("vote.close", closed, 200)

    def download(self) -> None:
        cookie = random.choice(self.readers)  # noqa: S311 — who reads is not a secret
        document_id, version = self.document
        url = f"{self.base}/documents/{document_id}/versions/{version}/file"
        self._expect("download", requests.get(url, headers={"Cookie": cookie}, timeout=30), 200)

    def sign_in(self) -> None:
        http = requests.Session()
        page = http.get(self.base + "/login", timeout=30).text
        token = re.search(r'name="csrf_token"[^>]*?value="([^"]*)"', page)
        form = {"username": random.choice(self.names), "password": SIGN_IN_PASSWORD}  # noqa: S311
        form["csrf_token"] = token.group(1) if token else ""
        self._expect(
            "sign_in",
            http.post(self.base + "/login", data=form, allow_redirects=False, timeout=30),
            302,
        )

    def verify(self) -> None:
        http = requests.Session()
        page = http.get(self.base + "/verify", timeout=30).text
        token = re.search(r'name="csrf_token"[^>]*?value="([^"]*)"', page)
        files = {"pdf": ("van-ban.pdf", io.BytesIO(_pdf()), "application/pdf")}
        data = {"csrf_token": token.group(1) if token else ""}
        self._expect(
            "verify", http.post(self.base + "/verify", data=data, files=files, timeout=60), 200
        )


def _pdf() -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(0, 10, f"Document {random.randint(1, 10**9)}")  # noqa: S311 — a new file each time
    return bytes(pdf.output())


def main(argv: list[str]) -> int:
    minutes = float(argv[0]) if argv else MINUTES
    raise_open_files_limit()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    with tempfile.TemporaryDirectory(prefix="soak-") as folder:
        instance = Path(os.environ.get("SOAK_INSTANCE") or folder)
        instance.mkdir(parents=True, exist_ok=True)
        port = free_port()
        env = server_env(instance, port) | {
            "MEETING_VERIFY_UPLOAD_LIMIT_PER_IP": "100000 per minute",
            "MEETING_VERIFY_LIMIT_PER_IP": "100000 per minute",
        }
        print(f"seeding {PARTICIPANTS} participants …", flush=True)
        seed = seed_meeting(instance, env, participants=PARTICIPANTS)
        people = mint_checkins(env, seed, VOTERS)
        names = seed_accounts(env, 10)
        presenting = prepare_presenting(env, seed)  # the meeting is in progress from here
        item_id, chair = _item_and_chair(env, seed)
        with Processes() as processes:
            base, pid = processes.server("ours", serve_command(port), env, port, instance)
            fleet = processes.fleet("ours", (base, pid), seed.meeting_id, instance)
            fleet.grow(seed.cookies[:PARTICIPANTS])
            _check_in(base, seed.meeting_id, people)
            change = edit_meeting_trigger(base, seed)
            idle, idle_missing = _timed_changes(change, fleet, rounds=IDLE_ROUNDS)
            document = (presenting.document_id, presenting.version)
            everyone = (chair, people, seed.cookies[:PARTICIPANTS], names)
            load = Load(base, seed.meeting_id, item_id, document, everyone)
            load.start()
            busy: list[float] = []
            busy_missing, rss_start = 0, None
            started = time.monotonic()
            while time.monotonic() - started < minutes * 60:
                samples, missing = _timed_changes(change, fleet, rounds=1)
                busy += samples
                busy_missing += missing
                if rss_start is None and time.monotonic() - started >= min(60, minutes * 30):
                    rss_start = rss_mb(pid)
                time.sleep(CHANGE_EVERY_S)
            load.finish()
            rss_end = rss_mb(pid)
            dropped = sum(1 for r in fleet.reports("seq", 1) if r and r.get("dropped"))
    report = _report(
        minutes, idle, idle_missing, busy, busy_missing, load, rss_start, rss_end, dropped
    )
    print(json.dumps(report, indent=2, ensure_ascii=False))
    if not argv:
        write_results(report)
    return 0


def _timed_changes(change: Any, fleet: Any, rounds: int) -> tuple[list[float], int]:
    shown: list[float] = []
    missing = 0
    for _ in range(rounds):
        sent = time.time()
        change()
        arrivals, lost = fleet.collect(ROUND_WAIT_S)
        shown += [(t - sent) * 1000 for t in arrivals]
        missing += lost
    return shown, missing


def _item_and_chair(env: dict[str, str], seed: Any) -> tuple[int, tuple[str, str]]:
    from fanout_bench import mint_session

    from meeting_server.extensions import db
    from meeting_server.models import Meeting

    app = bench_app(env)
    with app.app_context():
        item_id = db.session.get(Meeting, seed.meeting_id).agenda_items[0].id
        chair = mint_session(app, seed.chair_id)
    db.engine.dispose()
    return item_id, chair


def _check_in(base: str, meeting_id: int, people: list[tuple[str, str]]) -> None:
    for cookie, token in people + [(people[0][0], people[0][1])]:
        headers = {"Cookie": cookie, "X-CSRFToken": token, "Accept": "application/json"}
        url = f"{base}/tablet/meetings/{meeting_id}/check-in"
        answer = requests.post(url, json={"online": False}, headers=headers, timeout=30)
        if answer.status_code != 200:
            raise RuntimeError(f"a voter could not check in: {answer.status_code}")


def _report(minutes, idle, idle_missing, busy, busy_missing, load, rss_start, rss_end, dropped):
    errors = sum(load.errors.values()) + idle_missing + busy_missing + dropped
    idle_p99, busy_p99 = percentile(idle, 99), percentile(busy, 99)
    growth = round((rss_end - rss_start) / rss_start * 100, 1) if rss_start else None
    ratio = round(busy_p99 / idle_p99, 2) if idle and busy else None
    results = {
        "soak_minutes": minutes,
        "soak_errors": errors,
        "soak_rss_start_mb": rss_start,
        "soak_rss_end_mb": rss_end,
        "soak_rss_growth_pct": growth,
        "soak_idle_p99_ms": rounded_ms(idle_p99),
        "soak_tablet_p99_ms": rounded_ms(busy_p99),
        "soak_ratio_vs_idle": ratio,
        "soak_done": dict(load.done),
    }
    targets = {
        "soak_errors": {"target": 0, "met": errors == 0},
        "soak_rss_growth_pct": {
            "target": TARGET_RSS_GROWTH_PCT,
            "met": growth is not None and growth < TARGET_RSS_GROWTH_PCT,
        },
        "soak_ratio_vs_idle": {
            "target": TARGET_RATIO,
            "met": ratio is not None and ratio <= TARGET_RATIO,
        },
    }
    print(
        "errors:",
        dict(load.errors) or "none",
        "missing:",
        idle_missing + busy_missing,
        "dropped:",
        dropped,
        flush=True,
    )
    return {"results": results, "targets": targets}


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

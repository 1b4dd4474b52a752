"""Vote speed (issue 5): 200 voters, from opening the vote to the results on every tablet.

Run with `make bench` (or `.venv/bin/python bench/vote_bench.py`). Loopback only; every loop,
wait and process is bounded, and every process started here is stopped by its PID.

**Ours.** ``meeting-server serve`` (gevent) on a temporary SQLite instance, seeded through the
app's services like ``bench/fanout_bench.py`` (whose seeding, processes and tablets this
reuses): 200 participants invited as members (``may_vote``), the meeting started and every
member checked in (roll call); the chair is invited but not checked in, so 200 may vote. 200
tablets, each with its voter's minted session (plus a CSRF token made by Flask-WTF's
``generate_csrf`` for that session), connect over WebSocket and ``join_meeting``.
A round: t0 → the chair ``POST``s a new vote → each tablet ``POST``s its ballot as soon as its
``vote_opened`` arrives (aiohttp, all tablets at once) → once every ballot is answered OK the
chair closes the vote → t_end = the last tablet's arrival of ``vote_closed``. Its results, and
the close request's answer, must equal the ballots answered OK: a wrong count fails the bench
(exit 1, nothing written). A tablet that misses a notice, or a ballot not answered OK, makes its
round infinitely late and is counted.

**Bare** (baseline, same run, rounds alternating): ``bench/fanout_bare.py`` and 200 tablets
doing the same dance without the app: ``POST /notify`` → each tablet ``POST``s to an unknown
path (pywsgi answers 404 at once) → ``POST /notify`` → the last tablet has the notice.

``vote_bench.py ROUNDS`` takes a quick look and writes nothing; ``VOTE_INSTANCE=/some/folder``
keeps the instance and the logs. ``vote_bench.py tablets ours|bare URL MEETING_ID`` is a tablet
process (started by the bench).
"""

from __future__ import annotations

import asyncio
import functools
import json
import math
import os
import signal
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
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
    bench_app,
    mint_session,
    percentile,
    secretary_and_meeting,
    seed_meeting,
    server_env,
    write,
)
from fanout_processes import CLIENT_PROCESSES, Fleet, Processes, free_port, rounded_ms
from fanout_processes import raise_open_files_limit as raise_files_limit

VOTERS = 200
ROUNDS = 10  # measured rounds per server, after WARMUP
WARMUP = 2
PAUSE_S = 0.5  # between rounds
ROUND_WAIT_S = 30.0  # the longest each step of a round may take
TARGET_TOTAL_MS = 1000.0
OPTIONS = 3  # the default options: Đồng ý / Không đồng ý / Không biểu quyết

#: The chair's two actions on one server: open() → a vote id, close(vote id) → the results.
Chair = tuple[Callable[[], Any], Callable[[Any], Any]]


# --- the tablet processes ---------------------------------------------------------------------


@dataclass
class Voter:
    """One tablet's session, CSRF token and place in its process."""

    cookie: str
    token: str
    index: int
    voted: bool = False  # between this tablet's ballot and the vote's close


class Voters(fanout_tablets.Tablets):
    """Tablets that cast a ballot when a vote opens and note the results it closes with.

    Grow items are ``"<Cookie header>\\t<X-CSRFToken>"`` ("" for the bare server). Out, besides
    the ``seq`` reports of both notices: ``{"ballots": seq, "ms", "choices", "failed", "errors",
    "done_at"}`` once every ballot sent here is answered, and ``{"closed": seq, "results",
    "counts"}`` (the distinct results seen; ``vote_count_changed`` received so far).
    """

    def __init__(self, url: str, meeting_id: int, mode: str) -> None:
        super().__init__(url, meeting_id)
        ours = mode == "ours"
        events = ("vote_opened", "vote_closed") if ours else ("meeting_updated", "meeting_updated")
        self.opened, self.closed = events
        self.ok_status = 200 if ours else 404
        self.tokens: dict[str, str] = {}  # cookie: CSRF token
        self.voters = 0
        self.http: aiohttp.ClientSession | None = None
        self.fired: dict[int, int] = {}
        self.answers: dict[int, list[tuple[float, int | None, str | None, float]]] = {}
        self.results: dict[int, list[list[int]]] = {}
        self.counts = 0
        self.tasks: set[asyncio.Task[None]] = set()

    async def grow(self, cookies: list[str]) -> None:
        if self.http is None:  # no cookie jar: each tablet sends its own session
            self.http = aiohttp.ClientSession(
                cookie_jar=aiohttp.DummyCookieJar(),
                connector=aiohttp.TCPConnector(limit=0),
                timeout=aiohttp.ClientTimeout(total=ROUND_WAIT_S),
            )
        items = [item.partition("\t") for item in cookies]
        self.tokens.update((cookie, token) for cookie, _, token in items)
        await super().grow([cookie for cookie, _, _ in items])

    def listen(self, client: socketio.AsyncClient, cookie: str) -> None:
        voter = Voter(cookie, self.tokens[cookie], self.voters)
        self.voters += 1
        handler = functools.partial(self.on_vote_notice, voter)
        for event in {self.opened, self.closed}:
            client.on(event, handler)
        client.on("vote_count_changed", self.on_count)

    def on_count(self, _payload: object) -> None:
        self.counts += 1

    def on_vote_notice(self, voter: Voter, notice: dict[str, Any]) -> None:
        seq = int(notice["seq"])
        state = notice.get("state") or {}  # the parts of the shared state the notice changed
        if not voter.voted and notice["kind"] == self.opened:
            voter.voted = True
            self.fired[seq] = self.fired.get(seq, 0) + 1
            vote_id = (state.get("conduct.vote") or {}).get("vote_id")
            task = asyncio.ensure_future(self.cast(voter, seq, vote_id))
            self.tasks.add(task)
            task.add_done_callback(self.tasks.discard)
        elif voter.voted and notice["kind"] == self.closed:
            voter.voted = False
            closed = state.get("conduct.last_vote") or {}
            seen = [int(result["count"]) for result in closed.get("results", [])]
            results = self.results.setdefault(seq, [])
            if seen not in results:
                results.append(seen)
        self.on_notice(notice)

    async def cast(self, voter: Voter, seq: int, vote_id: int | None) -> None:
        assert self.http is not None
        choice = (voter.index + seq) % OPTIONS
        path = f"/tablet/votes/{vote_id}/ballot" if vote_id is not None else "/ballot"
        headers = {"Cookie": voter.cookie, "X-CSRFToken": voter.token} if voter.cookie else {}
        started = time.perf_counter()
        try:
            request = self.http.post(self.url + path, json={"choice": choice}, headers=headers)
            async with request as r:
                body = await r.read()
                ok = r.status == self.ok_status and (r.status != 200 or json.loads(body)["ok"])
                error = None if ok else f"{r.status} {body[:300]!r}"
        except (aiohttp.ClientError, TimeoutError, ValueError, KeyError) as exc:
            ok, error = False, repr(exc)
        ms = (time.perf_counter() - started) * 1000
        self.answers.setdefault(seq, []).append((ms, choice if ok else None, error, time.time()))
        self.report_ballots(seq)

    def report(self, seq: int) -> None:
        super().report(seq)
        if seq in self.fired:
            self.report_ballots(seq)
        if seq in self.results:
            fanout_tablets.emit(
                {"closed": seq, "results": self.results.pop(seq), "counts": self.counts}
            )

    def report_ballots(self, seq: int) -> None:
        """Report notice ``seq``'s ballots once its arrivals are reported and all are answered."""
        answers = self.answers.get(seq, [])
        if seq in self.arrivals or len(answers) < self.fired[seq]:
            return
        del self.answers[seq], self.fired[seq]
        choices = [0] * OPTIONS
        for _, choice, _, _ in answers:
            if choice is not None:
                choices[choice] += 1
        errors = [error for _, _, error, _ in answers if error]
        message = {
            "ballots": seq,
            "ms": [ms for ms, *_ in answers],
            "choices": choices,
            "failed": len(errors),
            "errors": errors[:3],
            "done_at": max(a[3] for a in answers),
        }
        fanout_tablets.emit(message)

    async def close(self) -> None:
        await super().close()
        if self.http is not None:
            await self.http.close()


# --- seeding ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Voting:
    """The seeded vote: the agenda item, the chair's headers and the voters' grow items."""

    item_id: int
    chair: dict[str, str]
    voters: list[str]


def prepare_vote(env: dict[str, str], seed: Seed) -> Voting:
    """Start the meeting, check every member in, and mint sessions with CSRF tokens."""

    from meeting_server.extensions import db
    from meeting_server.models import CheckInMethod, MeetingRole
    from meeting_server.services.attendance import check_in
    from meeting_server.services.presentations import start_meeting

    app = bench_app(env)
    with app.app_context():
        secretary, meeting = secretary_and_meeting(seed)
        start_meeting(secretary, meeting)
        members = [i for i in meeting.invitations if i.role == MeetingRole.MEMBER and i.may_vote]
        for invitation in members:
            check_in(secretary, invitation, method=CheckInMethod.ROLL_CALL)
        db.session.commit()
        voting = Voting(
            item_id=meeting.agenda_items[0].id,
            chair=dict(
                zip(("Cookie", "X-CSRFToken"), mint_session(app, seed.chair_id), strict=True)
            ),
            voters=["\t".join(mint_session(app, i.user_id)) for i in members],
        )
    db.engine.dispose()
    if len(voting.voters) != VOTERS:
        raise RuntimeError(f"{len(voting.voters)} voters seeded, not {VOTERS}")
    return voting


# --- the two chairs ---------------------------------------------------------------------------


class VoteMismatch(RuntimeError):
    """A ballot failed, or the results differ from the ballots sent: the bench fails."""


def ours_chair(base: str, meeting_id: int, voting: Voting) -> Chair:
    """Return the chair's open() → vote id and close(vote id) → the close request's snapshot."""
    http = requests.Session()
    http.headers.update(voting.chair)
    count = iter(range(1, 1_000_000))

    def post(path: str, payload: dict[str, Any]) -> dict[str, Any]:
        answer = http.post(base + path, json=payload, allow_redirects=False, timeout=30)
        if answer.status_code != 200 or not answer.json().get("ok"):
            raise VoteMismatch(f"{path} answered {answer.status_code}: {answer.text[:300]}")
        return dict(answer.json())

    def open_vote() -> int:
        question = f"Biểu quyết số {next(count)}: thông qua báo cáo?"
        payload = {"item_id": voting.item_id, "question": question, "secret": False}
        return int(post(f"/tablet/meetings/{meeting_id}/votes", payload)["vote_id"])

    def close_vote(vote_id: int) -> dict[str, Any]:
        return dict(post(f"/tablet/votes/{vote_id}/close", {})["snapshot"])

    return open_vote, close_vote


def bare_chair(base: str) -> Chair:
    """Return the bare server's open() and close(): each one notice to every tablet."""
    http = requests.Session()

    def notify(*_: object) -> None:
        answer = http.post(base + "/notify", timeout=30)
        if answer.status_code != 204:
            raise RuntimeError(f"the bare server answered {answer.status_code}")

    return notify, notify


# --- measuring --------------------------------------------------------------------------------


@dataclass
class Samples:
    """One server's rounds (ms; times from t0 unless said otherwise)."""

    total_ms: list[float] = field(default_factory=list)  # t0 → last tablet has vote_closed
    opened_ms: list[float] = field(default_factory=list)  # t0 → last tablet has vote_opened
    ballots_ms: list[float] = field(default_factory=list)  # t0 → last ballot answered
    ballot_ms: list[float] = field(default_factory=list)  # each ballot's HTTP time
    open_request_ms: list[float] = field(default_factory=list)
    close_request_ms: list[float] = field(default_factory=list)
    closed_ms: list[float] = field(default_factory=list)  # close sent → each tablet has it
    counts: list[float] = field(default_factory=list)  # vote_count_changed per tablet
    missing: int = 0  # notices a tablet missed
    failed: int = 0  # ballots not answered OK
    server_cpu_s: float = 0.0
    client_cpu_s: float = 0.0


def main(argv: list[str]) -> int:
    """Measure; ``vote_bench.py ROUNDS`` is a quick look that writes no results."""
    if argv[:1] == ["tablets"]:
        fanout_tablets.main(functools.partial(Voters, mode=argv[1]), argv[2:])
        return 0
    rounds = int(argv[0]) if argv else ROUNDS
    raise_files_limit()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="vote-") as folder:
        instance = Path(os.environ.get("VOTE_INSTANCE") or folder)
        instance.mkdir(parents=True, exist_ok=True)
        port, bare_port = free_port(), free_port()
        env = server_env(instance, port)
        print(f"seeding {VOTERS} voters …", flush=True)
        seed = seed_meeting(instance, env, participants=VOTERS)
        voting = prepare_vote(env, seed)
        with Processes() as processes:
            ours, bare = processes.ours_and_bare(env, port, bare_port, instance)
            tablets = [sys.executable, str(Path(__file__).resolve()), "tablets"]
            fleets = {
                "ours": processes.fleet(
                    "ours", ours, seed.meeting_id, instance, [*tablets, "ours"]
                ),
                "bare": processes.fleet("bare", bare, 1, instance, [*tablets, "bare"]),
            }
            fleets["ours"].grow(voting.voters)
            fleets["bare"].grow([""] * VOTERS)
            chairs = {
                "ours": ours_chair(ours[0], seed.meeting_id, voting),
                "bare": bare_chair(bare[0]),
            }
            results = measure(rounds, fleets, chairs)
    report = summarise(results, rounds, time.monotonic() - started)
    if not argv:
        write(report)
    print_table(report)
    return 0  # a missed target is reported (MISSED), not an error; a wrong count raised


def measure(rounds: int, fleets: dict[str, Fleet], chairs: dict[str, Chair]) -> dict[str, Samples]:
    """Alternate vote rounds on the two servers; keep the rounds after ``WARMUP``."""
    samples = {name: Samples() for name in fleets}
    time.sleep(1.0)
    for number in range(WARMUP + rounds):
        names = list(fleets) if number % 2 == 0 else list(fleets)[::-1]
        line = []
        for name in names:
            fleet, target = fleets[name], samples[name] if number >= WARMUP else Samples()
            cpu_before = fleet.cpu_seconds()
            one_round(fleet, *chairs[name], target, check=name == "ours")
            cpu_after = fleet.cpu_seconds()
            target.server_cpu_s += cpu_after[0] - cpu_before[0]
            target.client_cpu_s += cpu_after[1] - cpu_before[1]
            line.append(f"{name} {target.total_ms[-1]:.0f} ms")
            time.sleep(PAUSE_S)
        kind = "warm-up round" if number < WARMUP else "round"
        print(f"{kind} {number + 1}: {', '.join(line)}", flush=True)
    return samples


def one_round(
    fleet: Fleet,
    open_vote: Callable[[], Any],
    close_vote: Callable[[Any], Any],
    into: Samples,
    *,
    check: bool,
) -> None:
    """Open, let every tablet vote, close; add the timings to ``into`` and check the results."""
    t0 = time.time()
    vote_id = open_vote()
    into.open_request_ms.append((time.time() - t0) * 1000)
    opened, missed_open = fleet.collect(ROUND_WAIT_S)
    ballots = _all(fleet.reports("ballots", ROUND_WAIT_S), "ballot reports")
    sent = [sum(b["choices"][i] for b in ballots) for i in range(OPTIONS)]  # answered OK
    failed = sum(b["failed"] for b in ballots)
    errors = [e for b in ballots for e in b["errors"]]
    closing = time.time()
    snapshot = close_vote(vote_id)
    into.close_request_ms.append((time.time() - closing) * 1000)
    closed, missed_close = fleet.collect(ROUND_WAIT_S)
    seen = _all(fleet.reports("closed", ROUND_WAIT_S), "results reports")
    if check:
        _check_results(sent, snapshot, [r for report in seen for r in report["results"]])
    into.missing += missed_open + missed_close
    into.failed += failed
    if missed_open or missed_close or failed:  # counted as infinitely late, and reported
        print(
            f"{fleet.name}: {missed_open} tablets missed the vote, {missed_close} its results, "
            f"{failed} ballots failed: {errors}",
            file=sys.stderr,
            flush=True,
        )
    late = missed_open or missed_close or failed or not closed
    into.total_ms.append(math.inf if late else (max(closed) - t0) * 1000)
    into.opened_ms.append((max(opened) - t0) * 1000 if opened and not missed_open else math.inf)
    into.ballots_ms.append((max(b["done_at"] for b in ballots) - t0) * 1000)
    into.ballot_ms += [ms for b in ballots for ms in b["ms"]]
    into.closed_ms += [(arrived - closing) * 1000 for arrived in closed] + [math.inf] * missed_close
    into.counts.append(sum(report["counts"] for report in seen) / fleet.size)


def _all(reports: list[dict[str, Any] | None], what: str) -> list[dict[str, Any]]:
    if any(report is None for report in reports):
        raise VoteMismatch(f"{what} missing after {ROUND_WAIT_S} s")
    return [report for report in reports if report is not None]


def _check_results(sent: list[int], snapshot: dict[str, Any], seen: list[list[int]]) -> None:
    """Fail unless the closed vote and every tablet that has it show exactly the ballots sent.

    ``sent``: the ballots answered OK, by option; ``seen``: the results the tablets received.
    """
    stored = [int(r["count"]) for r in snapshot["results"]]
    problems = []
    if stored != sent or snapshot["cast"] != sum(sent) or snapshot["eligible"] != VOTERS:
        cast, eligible = snapshot["cast"], snapshot["eligible"]
        problems.append(f"closing answered {stored}, cast {cast} of {eligible}")
    if any(results != sent for results in seen):
        problems.append(f"the tablets saw {seen}")
    if problems:
        raise VoteMismatch(f"ballots sent {sent}, but " + "; ".join(problems))


# --- results ----------------------------------------------------------------------------------


def summarise(results: dict[str, Samples], rounds: int, seconds: float) -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for name, prefix in (("ours", "vote"), ("bare", "bare")):
        got = results[name]
        n = VOTERS
        flat[f"{prefix}_{n}_total_ms"] = rounded_ms(statistics.median(got.total_ms))
        flat[f"{prefix}_{n}_total_rounds_ms"] = [rounded_ms(ms) for ms in got.total_ms]
        flat[f"{prefix}_{n}_opened_last_ms"] = rounded_ms(statistics.median(got.opened_ms))
        flat[f"{prefix}_{n}_ballots_done_ms"] = rounded_ms(statistics.median(got.ballots_ms))
        flat[f"{prefix}_{n}_ballot_p50_ms"] = rounded_ms(percentile(got.ballot_ms, 50))
        flat[f"{prefix}_{n}_ballot_p99_ms"] = rounded_ms(percentile(got.ballot_ms, 99))
        flat[f"{prefix}_{n}_open_request_ms"] = rounded_ms(statistics.median(got.open_request_ms))
        flat[f"{prefix}_{n}_close_request_ms"] = rounded_ms(statistics.median(got.close_request_ms))
        flat[f"{prefix}_{n}_closed_p99_ms"] = rounded_ms(percentile(got.closed_ms, 99))
        flat[f"{prefix}_{n}_missing"] = got.missing
        flat[f"{prefix}_{n}_failed_ballots"] = got.failed
        flat[f"{prefix}_{n}_server_cpu_ms"] = round(got.server_cpu_s / rounds * 1000, 1)
        flat[f"{prefix}_{n}_client_cpu_ms"] = round(got.client_cpu_s / rounds * 1000, 1)
    flat["vote_200_count_notices"] = round(statistics.median(results["ours"].counts), 1)
    ours, bare = flat["vote_200_total_ms"], flat["bare_200_total_ms"]
    flat["vote_200_ratio_vs_bare"] = round(ours / bare, 2) if ours and bare else None
    flat |= {
        "rounds": rounds,
        "client_processes": CLIENT_PROCESSES,
        "results_checked": True,
        "bench_seconds": round(seconds),
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    total = flat["vote_200_total_ms"]
    target = {"target_ms": TARGET_TOTAL_MS, "measured_ms": total}
    target["met"] = total is not None and total <= TARGET_TOTAL_MS
    return {"results": {"vote": flat}, "targets": {"vote_200_total_ms": target}}


ROWS = (  # (heading, key suffix)
    ("total (t0 → last vote_closed), median", "total_ms"),
    ("  last vote_opened arrives", "opened_last_ms"),
    ("  last ballot answered", "ballots_done_ms"),
    ("ballot HTTP p50", "ballot_p50_ms"),
    ("ballot HTTP p99", "ballot_p99_ms"),
    ("open request", "open_request_ms"),
    ("close request", "close_request_ms"),
    ("vote_closed p99 after close sent", "closed_p99_ms"),
    ("server CPU per round", "server_cpu_ms"),
    ("tablet CPU per round", "client_cpu_ms"),
)


def print_table(report: dict[str, Any]) -> None:
    """Print ours and bare side by side (milliseconds)."""
    flat = report["results"]["vote"]
    print(f"{'200 voters (ms)':<40} {'ours':>9} {'bare':>9}")
    for heading, key in ROWS:
        print(f"{heading:<40} {flat['vote_200_' + key]!s:>9} {flat['bare_200_' + key]!s:>9}")
    print(f"rounds (ours): {flat['vote_200_total_rounds_ms']}")
    target = report["targets"]["vote_200_total_ms"]
    verdict = "met" if target["met"] else "MISSED"
    print(f"target vote_200_total_ms: {target['measured_ms']} ≤ {TARGET_TOTAL_MS} → {verdict}")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

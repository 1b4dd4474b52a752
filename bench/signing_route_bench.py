"""Signing on the production server: one route step, a batch, and whether others wait meanwhile.

**Ours.** ``meeting-server serve`` (gevent, SQLite) on a temporary instance seeded by
``meeting-server demo`` (internal CA, keys under the demo PIN, RSA-3072) plus
``STEPS + BATCH`` requests for the chair, made through the app's services with the demo's
4-page Vietnamese decision. Measured over HTTP from this process:

* ``sign_step_p50_ms`` / ``p90``: one ``POST /signing/<id>/sign`` (the PIN opens the key,
  the route is checked, pyHanko signs with a visible stamp, the version is stored, the next
  signer told), one request after another;
* ``sign_batch_<n>_total_ms``: ``POST /signing/batch`` of ``BATCH`` documents, until the last
  progress line;
* **the baseline in the same run**: a cheap request (the sign-in page) every ``PROBE_EVERY_S``
  while the server is idle, then the same probe while the batch signs. Signing runs in gevent's
  thread pool (``offload.offload``): ``probe_during_batch_p99_ms`` tells how long anybody else
  (a tablet's state read, a ballot) waits meanwhile. Target: ≤ 250 ms.

``signing_route_bench.py N`` is a quick look with N of each that writes no results.
"""

from __future__ import annotations

import json
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests
from fanout_bench import finish, percentile
from fanout_processes import Processes, free_port, serve_command

STEPS = 10
BATCH = 30
PROBE_EVERY_S = 0.02
IDLE_PROBE_S = 3.0
DEMO_PIN = "123456"
PASSWORD = "demo12345"
TARGET_PROBE_P99_MS = 250.0


@dataclass
class Probe:
    """Time a cheap GET every PROBE_EVERY_S until stopped (bounded by ``limit_s``)."""

    url: str
    limit_s: float
    times_ms: list[float] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        deadline = time.monotonic() + self.limit_s
        while not self.stop.is_set() and time.monotonic() < deadline:
            started = time.perf_counter()
            # A new connection each time, as a tablet's request after a pause would be (a
            # kept-alive one adds TCP's delayed-ACK 40 ms to every answer here).
            requests.get(self.url, timeout=30, headers={"Connection": "close"}).raise_for_status()
            self.times_ms.append((time.perf_counter() - started) * 1000)
            time.sleep(PROBE_EVERY_S)


def server_env(instance: Path, port: int) -> dict[str, str]:
    from fanout_bench import server_env as fanout_env

    return {
        **fanout_env(instance, port),
        "MEETING_CA_DIR": str(instance / "ca"),
        "MEETING_CA_PASSPHRASE_FILE": str(instance / "ca-passphrase"),
        "MEETING_DEMO_PASSWORD": PASSWORD,
        "MEETING_DEMO_PIN": DEMO_PIN,
        "MEETING_SIGNING_PIN_LIMIT": "1000 per minute",
        "MEETING_SIGNING_REMIND_EVERY_S": "0",
    }


def seed(
    env: dict[str, str], count: int, *, seal_only: bool = False, numbered: bool = False
) -> list[int]:
    """Run the demo seeding, then send ``count`` copies of the decision to the chair first
    (``seal_only``: straight to the clerk's seal; ``seal_only`` or ``numbered``: numbered as
    decisions by the seal)."""
    from datetime import timedelta

    cli = [sys.executable, "-c", "from meeting_server.cli import main; main()"]
    for args in (["db", "upgrade"], ["demo"]):
        subprocess.run([*cli, *args], env=env, check=True, capture_output=True, timeout=600)
    from sqlalchemy import select

    from meeting_server import create_app
    from meeting_server.demo.signing import db_document
    from meeting_server.extensions import db
    from meeting_server.models import DocumentKind, StepKind, User, utcnow
    from meeting_server.services.signing_requests import RouteEntry, submit_request
    from meeting_server.storage import blob_store

    keys = ("DATABASE_URL", "STORAGE_DIR", "CA_DIR", "CA_PASSPHRASE_FILE", "PUBLIC_URL")
    app = create_app({key: env[f"MEETING_{key}"] for key in (*keys, "SECRET_KEY")})
    with app.app_context():
        people = {u.username: u for u in db.session.scalars(select(User))}
        decision = db_document("Dự thảo Quyết định ban hành Quy chế làm việc")
        pdf = blob_store().path_for(decision.current.sha256).read_bytes()
        route = [
            RouteEntry(people["chutich"]),
            RouteEntry(people["phochutich"]),
            RouteEntry(people["vanthu"], StepKind.SEAL),
        ][2 if seal_only else 0 :]
        made = []
        for number in range(count):
            outcome = submit_request(
                people["thuky"],
                title=f"Bench {number}",
                message="",
                route=route,
                due_at=utcnow() + timedelta(days=3),
                pdf=pdf,
                file_name="bench.pdf",
                kind=DocumentKind.DECISION if seal_only or numbered else None,
            )
            db.session.commit()
            made.append(outcome.request.id)
    return made


def signed_in(base: str, username: str) -> requests.Session:
    http = requests.Session()
    page = http.get(base + "/login", timeout=30).text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    form = {"username": username, "password": PASSWORD, "csrf_token": token}
    reply = http.post(base + "/login", data=form, allow_redirects=False, timeout=30)
    if reply.status_code != 302:
        raise RuntimeError(f"sign-in refused: {reply.text[:300]}")
    inbox = http.get(base + "/signing/", timeout=30).text
    http.headers["X-CSRFToken"] = re.search(r'name="csrf-token" content="([^"]+)"', inbox).group(1)  # type: ignore[union-attr]
    return http


def measure(base: str, steps: list[int], batch: list[int]) -> dict[str, Any]:
    chair = signed_in(base, "chutich")
    step_ms = []
    for request_id in steps:
        started = time.perf_counter()
        answer = chair.post(
            f"{base}/signing/{request_id}/sign", json={"pin": DEMO_PIN}, timeout=120
        )
        step_ms.append((time.perf_counter() - started) * 1000)
        if answer.status_code != 200 or not answer.json()["ok"]:
            raise RuntimeError(f"signing refused: {answer.text[:300]}")
    idle = Probe(base + "/login", IDLE_PROBE_S)
    idle.run()
    during = Probe(base + "/login", 600)
    prober = threading.Thread(target=during.run, daemon=True)
    prober.start()
    started = time.perf_counter()
    answer = chair.post(f"{base}/signing/batch", json={"ids": batch, "pin": DEMO_PIN}, timeout=600)
    lines = [json.loads(line) for line in answer.text.splitlines()]
    batch_ms = (time.perf_counter() - started) * 1000
    during.stop.set()
    prober.join(timeout=60)
    if [line.get("ok") for line in lines] != [True] * len(batch):
        raise RuntimeError(f"the batch did not sign everything: {lines}")
    return {
        "steps": step_ms,
        "batch_ms": batch_ms,
        "idle": idle.times_ms,
        "during": during.times_ms,
    }


def summarise(samples: dict[str, Any], batch: int) -> dict[str, Any]:
    steps, idle, during = samples["steps"], samples["idle"], samples["during"]
    results = {
        "sign_step_p50_ms": round(statistics.median(steps), 1),
        "sign_step_p90_ms": round(percentile(steps, 90), 1),
        f"sign_batch_{batch}_total_ms": round(samples["batch_ms"], 1),
        f"sign_batch_{batch}_per_document_ms": round(samples["batch_ms"] / batch, 1),
        "probe_idle_p50_ms": round(statistics.median(idle), 1),
        "probe_idle_p99_ms": round(percentile(idle, 99), 1),
        "probe_during_batch_p50_ms": round(statistics.median(during), 1),
        "probe_during_batch_p99_ms": round(percentile(during, 99), 1),
        "probe_during_batch_max_ms": round(max(during), 1),
        "probe_during_batch_count": len(during),
    }
    measured = results["probe_during_batch_p99_ms"]
    target = {
        "measured_ms": measured,
        "target_ms": TARGET_PROBE_P99_MS,
        "met": measured <= TARGET_PROBE_P99_MS,
    }
    targets = {"signing_probe_during_batch_p99_ms": target}
    return {"results": {"signing_route": results}, "targets": targets}


def main(argv: list[str]) -> int:
    steps = int(argv[0]) if argv else STEPS
    batch = int(argv[0]) if argv else BATCH
    with tempfile.TemporaryDirectory(prefix="signing-") as folder:
        instance = Path(folder)
        port = free_port()
        env = server_env(instance, port)
        print(f"seeding the demo and {steps + batch} requests …", flush=True)
        made = seed(env, steps + batch)
        with Processes() as processes:
            base, _pid = processes.server("ours", serve_command(port), env, port, instance)
            samples = measure(base, made[:steps], made[steps:])
    report = summarise(samples, batch)
    return finish(report, argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

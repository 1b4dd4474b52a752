"""Twenty seals at once (issue 15): every document gets its own register number, no gap.

``meeting-server serve`` (gevent, SQLite) on a temporary demo instance; ``SEALS + 1`` decisions
wait for the clerk's seal alone. Measured over HTTP from this process, as a person sees it:

* **baseline in the same run**: one seal with nothing else going on (``seal_alone_ms``);
* then ``SEALS`` seals pressed at the same instant (``POST /signing/<id>/sign``):
  ``seal_concurrent_p50_ms`` / ``p95_ms`` until each answer, and the register afterwards:
  ``register_duplicates`` (numbers given twice: target 0) and ``register_gaps`` (numbers
  skipped in 1…N: target 0), read from the request pages ("Số: 07/QĐ-UBND").

``register_bench.py N`` is a quick look with N seals that writes no results.
"""

from __future__ import annotations

import re
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from fanout_bench import finish, percentile
from fanout_processes import Processes, free_port, serve_command
from signing_route_bench import DEMO_PIN, seed, server_env, signed_in

SEALS = 20
NUMBER = re.compile(r'data-testid="register-number">[^<]*?(\d+)/QĐ-')


def seal_at_once(base: str, requests_ids: list[int]) -> list[float]:
    """Press Seal on every request at the same instant; return each answer's time in ms."""
    clerks = [signed_in(base, "vanthu") for _ in requests_ids]
    barrier = threading.Barrier(len(requests_ids))
    times: list[float] = []
    failures: list[str] = []

    def one(http: Any, request_id: int) -> None:
        barrier.wait(timeout=60)
        started = time.perf_counter()
        answer = http.post(f"{base}/signing/{request_id}/sign", json={"pin": DEMO_PIN}, timeout=300)
        times.append((time.perf_counter() - started) * 1000)
        if answer.status_code != 200 or not answer.json().get("ok"):
            failures.append(answer.text[:200])

    threads = [
        threading.Thread(target=one, args=(http, rid))
        for http, rid in zip(clerks, requests_ids, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=600)
    if failures:
        raise RuntimeError(f"seals refused: {failures[:3]}")
    return times


def numbers_given(base: str, request_ids: list[int]) -> list[int]:
    desk = signed_in(base, "thuky")
    found = []
    for request_id in request_ids:
        page = desk.get(f"{base}/signing/{request_id}", timeout=60).text
        match = NUMBER.search(page)
        if match is None:
            raise RuntimeError(f"request {request_id} shows no register number")
        found.append(int(match.group(1)))
    return found


def main(argv: list[str]) -> int:
    seals = int(argv[0]) if argv else SEALS
    with tempfile.TemporaryDirectory(prefix="register-") as folder:
        instance = Path(folder)
        port = free_port()
        env = server_env(instance, port)
        print(f"seeding the demo and {seals + 1} decisions for the seal …", flush=True)
        made = seed(env, seals + 1, seal_only=True)
        with Processes() as processes:
            base, _pid = processes.server("ours", serve_command(port), env, port, instance)
            alone = seal_at_once(base, made[:1])[0]
            times = seal_at_once(base, made[1:])
            numbers = numbers_given(base, made)
    duplicates = len(numbers) - len(set(numbers))
    gaps = len(set(range(1, len(numbers) + 1)) - set(numbers))
    results = {
        "seal_alone_ms": round(alone, 1),
        "seal_concurrent_p50_ms": round(statistics.median(times), 1),
        "seal_concurrent_p95_ms": round(percentile(times, 95), 1),
        "seals_at_once": seals,
        "register_duplicates": duplicates,
        "register_gaps": gaps,
    }
    report = {
        "results": {"register": results},
        "targets": {
            "register_duplicates": {"measured": duplicates, "target": 0, "met": duplicates == 0},
            "register_gaps": {"measured": gaps, "target": 0, "met": gaps == 0},
        },
    }
    return finish(report, argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

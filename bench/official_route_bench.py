"""A whole official route over HTTP (issue 15): chair, vice-chair, then the clerk's seal that
numbers the document and makes it long-term (B-LTA), as the people pressing Sign see it.

``meeting-server serve`` (gevent, SQLite) on a temporary demo instance (internal CA with its
timestamping service and OCSP responder, RSA-3072 keys) and ``ROUTES`` copies of the demo's
4-page decision, each routed chutich → phochutich → vanthu (seal, numbered as a decision).
For each route the three presses follow one another (``POST /signing/<id>/sign``):

* **baseline in the same run**: the chair's press, a B-T signature with a visible stamp
  (``route_chair_step_p50_ms``);
* ``route_seal_step_p50_ms``: the clerk's press: the number and date of issue written, the
  seal, then validation data (CRL/OCSP) and a document timestamp (B-LTA);
* ``route_blta_end_to_end_p50_ms`` / ``max``: the three presses of one route, summed;
* and what the reader then gets, checked on every final document: our validator says every
  signature is valid and the document B-LTA (``route_documents_not_blta``: target 0), and the
  number printed on page 1 is the register's (``route_number_mismatches``: target 0).

``official_route_bench.py N`` is a quick look with N routes that writes no results.
"""

from __future__ import annotations

import json
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from fanout_bench import finish, percentile
from fanout_processes import Processes, free_port, serve_command
from signing_route_bench import DEMO_PIN, seed, server_env, signed_in

ROUTES = 5
PEOPLE = ("chutich", "phochutich", "vanthu")
SHOWN = re.compile(r'data-testid="register-number">[^<]*?(\d+/QĐ-[^,<]+)')


def run_routes(base: str, request_ids: list[int]) -> dict[str, list[float]]:
    """Press Sign for each person of each route in turn; return each press's time in ms."""
    sessions = {name: signed_in(base, name) for name in PEOPLE}
    times: dict[str, list[float]] = {name: [] for name in PEOPLE}
    for request_id in request_ids:
        for name in PEOPLE:
            started = time.perf_counter()
            answer = sessions[name].post(
                f"{base}/signing/{request_id}/sign", json={"pin": DEMO_PIN}, timeout=300
            )
            times[name].append((time.perf_counter() - started) * 1000)
            if answer.status_code != 200 or not answer.json().get("ok"):
                raise RuntimeError(f"{name} could not sign {request_id}: {answer.text[:300]}")
    return times


def check_documents(base: str, request_ids: list[int], env: dict[str, str]) -> dict[str, int]:
    """Download each final document; count the ones not B-LTA or whose number disagrees."""
    desk = signed_in(base, "thuky")
    not_blta = mismatches = 0
    with tempfile.TemporaryDirectory(prefix="official-") as folder:
        for request_id in request_ids:
            shown = SHOWN.search(desk.get(f"{base}/signing/{request_id}", timeout=60).text)
            pdf = Path(folder) / f"{request_id}.pdf"
            answer = desk.get(f"{base}/signing/{request_id}/document.pdf", timeout=60)
            pdf.write_bytes(answer.content)
            printed = subprocess.run(
                ["pdftotext", "-f", "1", "-l", "1", str(pdf), "-"],
                capture_output=True, text=True, check=True,
            ).stdout  # fmt: skip
            if shown is None or f"Số: {shown.group(1).strip()}" not in " ".join(printed.split()):
                mismatches += 1
            if not _valid_blta(pdf, env):
                not_blta += 1
    return {"route_documents_not_blta": not_blta, "route_number_mismatches": mismatches}


def _valid_blta(pdf: Path, env: dict[str, str]) -> bool:
    """Ask our validator (the CLI, against the instance's CA) about the final document."""
    cli = [sys.executable, "-c", "from meeting_server.cli import main; main()"]
    report = subprocess.run(
        [*cli, "verify", "--json", str(pdf)], env=env, capture_output=True, text=True, timeout=300
    )
    if report.returncode != 0:
        return False
    found = json.loads(report.stdout)["signatures"]
    return len(found) == 3 and found[-1]["pades_level"] == "B-LTA"


def main(argv: list[str]) -> int:
    count = int(argv[0]) if argv else ROUTES
    with tempfile.TemporaryDirectory(prefix="official-route-") as folder:
        instance = Path(folder)
        port = free_port()
        env = server_env(instance, port)
        print(f"seeding the demo and {count} numbered decisions …", flush=True)
        made = seed(env, count, numbered=True)
        with Processes() as processes:
            base, _pid = processes.server("ours", serve_command(port), env, port, instance)
            times = run_routes(base, made)
            checked = check_documents(base, made, env)
    routes = [sum(press) for press in zip(*times.values(), strict=True)]
    results: dict[str, Any] = {
        "route_chair_step_p50_ms": round(statistics.median(times["chutich"]), 1),
        "route_vice_step_p50_ms": round(statistics.median(times["phochutich"]), 1),
        "route_seal_step_p50_ms": round(statistics.median(times["vanthu"]), 1),
        "route_blta_end_to_end_p50_ms": round(statistics.median(routes), 1),
        "route_blta_end_to_end_max_ms": round(max(routes), 1),
        "route_blta_end_to_end_p90_ms": round(percentile(routes, 90), 1),
        "routes": count,
        **checked,
    }
    report = {
        "results": {"official_route": results},
        "targets": {
            name: {"measured": value, "target": 0, "met": value == 0}
            for name, value in checked.items()
        },
    }
    return finish(report, argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

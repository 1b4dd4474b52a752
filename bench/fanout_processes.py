"""Processes of the fan-out bench: the servers and the tablet fleets, each stopped by its PID.

Used by ``bench/fanout_bench.py``. Every wait is bounded; ``Processes`` stops everything it
started (tablets first, then servers: SIGTERM, then SIGKILL after a grace period).
"""

from __future__ import annotations

import json
import math
import os
import queue
import resource
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from typing import IO, Any

BENCH = Path(__file__).resolve().parent
CLIENT_PROCESSES = 3  # tablet processes per server


def serve_command(port: int) -> list[str]:
    """``meeting-server serve`` on ``port`` (the console script of the bench's interpreter)."""
    cli = "from meeting_server.cli import main; main()"
    return [sys.executable, "-c", cli, "serve", "--port", str(port)]


def rounded_ms(value: float) -> float | None:
    """A time for ``latest.json``: 0.1 ms, or ``None`` when it never happened."""
    return round(value, 1) if math.isfinite(value) else None


CONNECT_WAIT_S = 300.0  # the longest one "grow" may take


class Fleet:
    """``CLIENT_PROCESSES`` tablet processes connected to one server."""

    def __init__(self, name: str, server_pid: int, command: list[str] | None = None) -> None:
        self.name = name
        self.server_pid = server_pid
        # A tablet process: this command + URL MEETING_ID (the default: fanout_tablets.py).
        self.command = command or [sys.executable, str(BENCH / "fanout_tablets.py")]
        self.size = 0
        self.processes: list[subprocess.Popen[str]] = []
        self.inboxes: list[queue.Queue[dict[str, Any]]] = []
        self.shares = [0] * CLIENT_PROCESSES
        self.last_seq = [0] * CLIENT_PROCESSES

    def start(self, url: str, meeting_id: int, log: IO[str]) -> None:
        """Start the tablet processes (no tablet yet: see :meth:`grow`)."""
        for _ in range(CLIENT_PROCESSES):
            process = subprocess.Popen(
                [*self.command, url, str(meeting_id)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=log,
                text=True,
            )
            self.processes.append(process)
            inbox: queue.Queue[dict[str, Any]] = queue.Queue()
            threading.Thread(target=_read_lines, args=(process, inbox), daemon=True).start()
            self.inboxes.append(inbox)

    def grow(self, cookies: list[str]) -> None:
        """Connect one more tablet per cookie, spread evenly over the processes."""
        if not cookies:
            return
        parts: list[list[str]] = [[] for _ in self.processes]
        for offset, cookie in enumerate(cookies):
            parts[(self.size + offset) % len(parts)].append(cookie)
        for process, part in zip(self.processes, parts, strict=True):
            assert process.stdin is not None
            process.stdin.write(json.dumps({"cmd": "grow", "cookies": part}) + "\n")
            process.stdin.flush()
        for index, part in enumerate(parts):
            answer = self._next(index, "ready", time.monotonic() + CONNECT_WAIT_S)
            if answer is None or answer["failed"]:
                raise RuntimeError(f"{self.name}: tablets could not connect: {answer}")
            self.shares[index] += len(part)
        self.size += len(cookies)

    def collect(self, wait_s: float) -> tuple[list[float], int]:
        """Return the arrival times of the next notice on every tablet, and how many missed it."""
        deadline = time.monotonic() + wait_s
        arrivals: list[float] = []
        missing = 0
        for index in range(len(self.processes)):
            report = self._next(index, "seq", deadline)
            if report is None:
                missing += self.shares[index]
                continue
            self.last_seq[index] = report["seq"]
            arrivals += report["times"]
            missing += report["expected"] - len(report["times"]) + report["dropped"]
        return arrivals, missing

    def reports(self, key: str, wait_s: float) -> list[dict[str, Any] | None]:
        """Return each process's next message carrying ``key`` (``None``: none in time)."""
        deadline = time.monotonic() + wait_s
        return [self._next(index, key, deadline) for index in range(len(self.processes))]

    def _next(self, index: int, key: str, deadline: float) -> dict[str, Any] | None:
        while (left := deadline - time.monotonic()) > 0:
            try:
                message = self.inboxes[index].get(timeout=left)
            except queue.Empty:
                return None
            if key == "seq" and message.get("seq", 0) <= self.last_seq[index]:
                continue  # a late report of an earlier round
            if key in message:
                return message
        return None

    def skip_to(self, seq: int) -> None:
        """Let :meth:`collect` ignore reports of notices up to ``seq`` (another phase's)."""
        self.last_seq = [max(last, seq) for last in self.last_seq]

    def tell(self, command: dict[str, Any]) -> None:
        """Send ``command`` to every tablet process of this fleet."""
        for process in self.processes:
            assert process.stdin is not None
            process.stdin.write(json.dumps(command) + "\n")
            process.stdin.flush()

    def cpu_seconds(self) -> tuple[float, float]:
        """Return the CPU time used so far by the server and by these tablet processes."""
        return _cpu_seconds(self.server_pid), sum(_cpu_seconds(p.pid) for p in self.processes)

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None and process.stdin is not None:
                try:
                    process.stdin.write(json.dumps({"cmd": "quit"}) + "\n")
                    process.stdin.flush()
                except OSError:
                    pass
        for process in self.processes:
            _stop(process, grace_s=25)  # each tablet process stops after disconnecting (≤ 20 s)


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a running process (Linux ``/proc``, clock-tick resolution)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _read_lines(process: subprocess.Popen[str], inbox: queue.Queue[dict[str, Any]]) -> None:
    assert process.stdout is not None
    for line in process.stdout:
        inbox.put(json.loads(line))


class Processes:
    """Start servers and tablet fleets; stop every one of them by PID on the way out."""

    def __init__(self) -> None:
        self.servers: list[subprocess.Popen[bytes]] = []
        self.fleets: list[Fleet] = []
        self.logs: list[IO[str]] = []

    def __enter__(self) -> Processes:
        return self

    def __exit__(self, *_: object) -> None:
        try:
            for fleet in self.fleets:
                fleet.stop()
        finally:
            for server in self.servers:
                _stop(server, grace_s=15)
            for log in self.logs:
                log.close()

    def server(
        self, name: str, command: list[str], env: dict[str, str], port: int, log_dir: Path
    ) -> tuple[str, int]:
        log = (log_dir / f"{name}.log").open("w")
        self.logs.append(log)
        process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
        self.servers.append(process)
        base = f"http://127.0.0.1:{port}"
        _wait_until_up(base + "/socket.io/?EIO=4&transport=polling", process)
        return base, process.pid

    def ours_and_bare(
        self, env: dict[str, str], port: int, bare_port: int, log_dir: Path
    ) -> tuple[tuple[str, int], tuple[str, int]]:
        """Start ``meeting-server serve`` on ``port`` and the bare server on ``bare_port``."""
        ours = self.server("ours", serve_command(port), env, port, log_dir)
        bare = self.server(
            "bare",
            [sys.executable, str(BENCH / "fanout_bare.py"), "--port", str(bare_port)],
            dict(os.environ),
            bare_port,
            log_dir,
        )
        return ours, bare

    def fleet(
        self,
        name: str,
        server: tuple[str, int],
        meeting_id: int,
        log_dir: Path,
        command: list[str] | None = None,
    ) -> Fleet:
        log = (log_dir / f"tablets-{name}.log").open("w")
        self.logs.append(log)
        fleet = Fleet(name, server_pid=server[1], command=command)
        self.fleets.append(fleet)
        fleet.start(server[0], meeting_id, log)
        return fleet


def _stop(process: subprocess.Popen[Any], grace_s: float) -> None:
    if process.poll() is None:
        os.kill(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=grace_s)
    except subprocess.TimeoutExpired:
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def _wait_until_up(url: str, process: subprocess.Popen[bytes], seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"no answer at {url} within {seconds} s")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def raise_open_files_limit(wanted: int = 65536) -> None:
    """Raise the soft open-files limit towards ``wanted``: a thousand sockets need it."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft != resource.RLIM_INFINITY and soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))

"""Support for browser tests: a live server process and Debian's headless Chromium."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).parent / "artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TABLET = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def cli(env: dict[str, str], *args: str) -> str:
    """Run ``meeting-server ARGS`` and return its output (raise with it on failure)."""
    result = subprocess.run(
        [sys.executable, "-c", "from meeting_server.cli import main; main()", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(
            f"meeting-server {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
        )
    return result.stdout


@contextmanager
def live_server(instance: Path, *, seed_demo: bool = True) -> Iterator[tuple[str, dict[str, str]]]:
    """Start ``meeting-server run`` on a free loopback port with its own instance folder."""
    port = free_port()
    env = {
        **os.environ,
        "MEETING_PUBLIC_URL": f"http://127.0.0.1:{port}",  # the Socket.IO Origin check uses it
        "MEETING_DATABASE_URL": f"sqlite:///{instance / 'meeting.sqlite3'}",
        "MEETING_STORAGE_DIR": str(instance / "storage"),
        "MEETING_SECRET_KEY": "browser-test-secret",
        "MEETING_DEMO_PASSWORD": "demo12345",
    }
    cli(env, "db", "upgrade")
    if seed_demo:
        cli(env, "demo")
    log = (instance / "server.log").open("w")
    process = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from meeting_server.cli import main; main()",
            "run",
            "--port",
            str(port),
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base + "/login", process)
        yield base, env
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        log.close()


def _wait_until_up(url: str, process: subprocess.Popen[bytes], seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 — loopback only
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"the server did not answer at {url} within {seconds} s")


def screenshot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)

"""Support for browser tests: a live server process and Debian's headless Chromium."""

from __future__ import annotations

import atexit
import functools
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests
import socketio

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"  # tests/artifacts
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
def live_server(
    instance: Path,
    *,
    seed_demo: bool = True,
    extra_env: dict[str, str] | None = None,
    name: str = "server",
    port: int | None = None,
) -> Iterator[tuple[str, dict[str, str]]]:
    """Start ``meeting-server run`` on a loopback port with its own instance folder.

    Two servers may share one instance (``seed_demo=False`` for the second), as several
    production processes share one database; a restart is a second server on the same port.
    """
    port = port or free_port()
    env = server_env(instance, port, extra_env)
    if seed_demo:
        shutil.copytree(demo_template(), instance, dirs_exist_ok=True)
    else:
        cli(env, "db", "upgrade")
    log = (instance / f"{name}.log").open("a")
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
        wait_until_up(base + "/login", process)
        yield base, env
    finally:
        stop(process)
        log.close()


def stop(process: subprocess.Popen, seconds: float = 10) -> None:
    """Stop a server process by its PID: SIGTERM, then SIGKILL after ``seconds``."""
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


def server_env(
    instance: Path, port: int, extra_env: dict[str, str] | None = None
) -> dict[str, str]:
    """Return the environment of a server process whose data lives in ``instance``."""
    return {
        **os.environ,
        **(extra_env or {}),
        "MEETING_PUBLIC_URL": f"http://127.0.0.1:{port}",  # the Socket.IO Origin check uses it
        "MEETING_DATABASE_URL": f"sqlite:///{instance / 'meeting.sqlite3'}",
        "MEETING_STORAGE_DIR": str(instance / "storage"),
        "MEETING_CA_DIR": str(instance / "ca"),
        "MEETING_CA_PASSPHRASE_FILE": str(instance / "ca-passphrase"),
        "MEETING_SECRET_KEY": "browser-test-secret",
        "MEETING_DEMO_PASSWORD": "demo12345",
        # the demo's four months of past meetings take a minute to seed and are
        # tests/demo/test_history.py's story; the live servers start from the sample meeting
        "MEETING_DEMO_HISTORY": "0",
    }


@functools.cache
def demo_template() -> Path:
    """Return an instance migrated and seeded by ``meeting-server demo``, made once per process.

    Seeding costs ~15 s of CPU (25 password hashes, the CA, four keys, PDFs); live servers start
    from a copy. Nothing in the database names a folder, so a copy is a complete instance. What
    names the template's address (port 5000): the demo CA's CRL address (verification uses the
    CRLs on disk) and the QR code and short link printed on the sample signing request's PDF.
    """
    template = Path(tempfile.mkdtemp(prefix="demo-instance-"))
    atexit.register(shutil.rmtree, template, ignore_errors=True)
    env = server_env(template, 5000)
    cli(env, "db", "upgrade")
    cli(env, "demo")
    return template


def wait_until_up(url: str, process: subprocess.Popen[bytes], seconds: float = 30) -> None:
    """Return once ``url`` answers; raise if ``process`` exits or ``seconds`` pass first."""
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


def signed_in(base: str, username: str) -> requests.Session:
    """Return an HTTP session signed in through the real form (CSRF token included)."""
    http = requests.Session()
    page = http.get(base + "/login", timeout=10).text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    reply = http.post(
        base + "/login",
        timeout=10,
        allow_redirects=False,
        data={"username": username, "password": "demo12345", "csrf_token": token},
    )
    assert reply.status_code == 302, reply.text[:300]
    return http


def connect(base: str, http: requests.Session | None, origin: str | None = None) -> socketio.Client:
    """Connect like a tablet: websocket (which sends our own Origin), or polling from ``origin``."""
    client = socketio.Client(reconnection=False)
    headers = {"Cookie": "; ".join(f"{c.name}={c.value}" for c in http.cookies) if http else ""}
    if origin is None:
        client.connect(base, transports=["websocket"], wait_timeout=10, headers=headers)
    else:
        client.connect(
            base, transports=["polling"], wait_timeout=10, headers={**headers, "Origin": origin}
        )
    return client


def poll(check, seconds: float) -> bool:
    """Return True as soon as ``check()`` is true, False after ``seconds``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.02)
    return False


def sign_in(page, base: str, username: str) -> None:
    page.goto(base + "/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "demo12345")
    page.click("form button.primary")
    page.wait_for_load_state()
    assert "/login" not in page.url, f"{username} could not sign in"


def open_tablet(
    chromium, base, username, errors, meeting_url=None, viewport=TABLET, service_workers="allow"
):
    """Sign ``username`` in on a tablet (1280×800 unless told) and open a meeting screen.

    Today's first meeting unless ``meeting_url``; console and page errors go to ``errors``.
    ``service_workers="block"`` lets ``page.route`` see the requests the offline worker would
    otherwise answer.
    """
    context = chromium.new_context(
        viewport=viewport, locale="vi-VN", service_workers=service_workers
    )
    page = context.new_page()
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    sign_in(page, base, username)
    if meeting_url is None:
        page.goto(base + "/tablet")
        page.locator("a.tablet-card").first.click()
    else:
        page.goto(meeting_url)
    page.wait_for_selector("#live-status[data-state='online']", timeout=10_000)
    return page


def answer_yes(page, timeout_ms: int = 5_000) -> None:
    """Confirm the meeting screen's in-page question (a ballot, closing, leaving, ending)."""
    page.locator("#ask-dialog[open] #ask-yes").click()
    page.wait_for_selector("#ask-dialog:not([open])", state="attached", timeout=timeout_ms)


def first_meeting_of(base: str, username: str) -> int:
    """Return the id of the first meeting on ``username``'s "my meetings" page."""
    page = signed_in(base, username).get(base + "/my", timeout=10).text
    return int(re.search(r'href="/meetings/(\d+)"', page).group(1))


def secretary_changes_a_seat(base: str, meeting_id: int, seat: str) -> None:
    """As ``thuky``, give the first listed invitee a new seat (a change tablets are told about)."""
    desk = signed_in(base, "thuky")
    page = desk.get(f"{base}/meetings/{meeting_id}", timeout=10).text
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    invitation = re.search(r'action="/invitations/(\d+)"', page).group(1)
    reply = desk.post(
        f"{base}/invitations/{invitation}",
        timeout=10,
        allow_redirects=False,
        data={"role": "member", "seat": seat, "csrf_token": token},
    )
    assert reply.status_code == 302, reply.text[:300]


def notice_reaches_a_tablet(base: str, seat: str) -> None:
    """Connect ``daibieu1`` over websocket, change a seat as ``thuky``; check the notice arrives."""
    tablet = connect(base, signed_in(base, "daibieu1"))
    try:
        assert tablet.transport() == "websocket"
        meeting_id = first_meeting_of(base, "daibieu1")
        arrived = threading.Event()
        received: list[dict] = []

        @tablet.on("meeting_updated")
        def on_update(notice: dict) -> None:
            received.append(notice)
            arrived.set()

        ack = tablet.call("join_meeting", {"meeting_id": meeting_id}, timeout=10)
        assert ack["ok"] and ack["state"] is not None  # a new tablet gets the whole state
        secretary_changes_a_seat(base, meeting_id, seat)
        assert arrived.wait(5), "no notice within 5 s"
        assert received[0]["meeting_id"] == meeting_id and received[0]["seq"] == ack["seq"] + 1
    finally:
        tablet.disconnect()

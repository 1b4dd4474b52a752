"""Socket.IO against a real server process: Origin check and websocket delivery."""

from __future__ import annotations

import re
import threading

import pytest
import requests
import socketio
from browser import live_server

pytestmark = pytest.mark.browser  # a live server process, like the browser tests


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with live_server(tmp_path_factory.mktemp("live-rt")) as running:
        yield running


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


def test_a_foreign_origin_is_refused(server):
    base, _env = server
    http = signed_in(base, "daibieu1")
    with pytest.raises(socketio.exceptions.ConnectionError):
        connect(base, http, "http://evil.example")


def test_no_session_is_refused(server):
    base, _env = server
    with pytest.raises(socketio.exceptions.ConnectionError):
        connect(base, None)


def test_a_tablet_gets_the_notice_over_websocket(server):
    base, _env = server
    tablet = connect(base, signed_in(base, "daibieu1"))
    try:
        meetings = signed_in(base, "daibieu1").get(base + "/my", timeout=10).text
        meeting_id = int(re.search(r'href="/meetings/(\d+)"', meetings).group(1))
        arrived = threading.Event()
        received: list[dict] = []

        @tablet.on("meeting_updated")
        def on_update(notice):
            received.append(notice)
            arrived.set()

        ack = tablet.call("join_meeting", {"meeting_id": meeting_id}, timeout=10)
        assert ack["ok"] and ack["snapshot"]
        desk = signed_in(base, "thuky")
        page = desk.get(f"{base}/meetings/{meeting_id}", timeout=10).text
        token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
        invitation = re.search(r'action="/invitations/(\d+)"', page).group(1)
        desk.post(
            f"{base}/invitations/{invitation}",
            timeout=10,
            data={"role": "member", "seat": "77", "csrf_token": token},
        )
        assert arrived.wait(5), "no notice within 5 s"
        assert received[0]["meeting_id"] == meeting_id and received[0]["seq"] == ack["seq"] + 1
    finally:
        tablet.disconnect()

"""Socket.IO against a real server process: Origin check and websocket delivery."""

from __future__ import annotations

import re
import threading

import pytest
import socketio
from browser import connect, live_server, signed_in

pytestmark = pytest.mark.browser  # a live server process, like the browser tests


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with live_server(tmp_path_factory.mktemp("live-rt")) as running:
        yield running


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

"""Socket.IO against a real server process: Origin check and websocket delivery."""

from __future__ import annotations

import threading

import pytest
import socketio
from browser import connect, first_meeting_of, live_server, secretary_changes_a_seat, signed_in

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
        meeting_id = first_meeting_of(base, "daibieu1")
        arrived = threading.Event()
        received: list[dict] = []

        @tablet.on("meeting_updated")
        def on_update(notice):
            received.append(notice)
            arrived.set()

        ack = tablet.call("join_meeting", {"meeting_id": meeting_id}, timeout=10)
        assert ack["ok"] and ack["snapshot"]
        secretary_changes_a_seat(base, meeting_id, "77")
        assert arrived.wait(5), "no notice within 5 s"
        assert received[0]["meeting_id"] == meeting_id and received[0]["seq"] == ack["seq"] + 1
    finally:
        tablet.disconnect()

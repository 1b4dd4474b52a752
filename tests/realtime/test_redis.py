"""Two server processes share the tablets through Redis (the scale-out configuration)."""

from __future__ import annotations

import re
import threading
import uuid

import pytest

from tests.support.backing import require_service
from tests.support.browser import (
    connect,
    first_meeting_of,
    live_server,
    secretary_changes_a_seat,
    signed_in,
)

pytestmark = [pytest.mark.redis, pytest.mark.browser]


def test_a_change_on_one_process_reaches_a_tablet_on_another(tmp_path):
    require_service("Redis", 6379)
    queue = {
        "MEETING_SOCKETIO_MESSAGE_QUEUE": "redis://127.0.0.1:6379/0",
        "MEETING_SOCKETIO_CHANNEL": f"meeting-test-{uuid.uuid4().hex}",
    }
    with (
        live_server(tmp_path, extra_env=queue, name="a") as (base_a, _),
        live_server(tmp_path, seed_demo=False, extra_env=queue, name="b") as (base_b, _),
    ):
        tablet = connect(base_a, signed_in(base_a, "daibieu1"))
        try:
            meeting_id = first_meeting_of(base_a, "daibieu1")
            arrived = threading.Event()
            tablet.on("meeting_updated", lambda notice: arrived.set())
            assert tablet.call("join_meeting", {"meeting_id": meeting_id}, timeout=10)["ok"]
            secretary_changes_a_seat(base_b, meeting_id, "88")  # served by the other process
            assert arrived.wait(5), "the notice did not cross processes within 5 s"
        finally:
            tablet.disconnect()


def test_signing_out_on_one_process_closes_the_tablet_on_another(tmp_path):
    require_service("Redis", 6379)
    queue = {
        "MEETING_SOCKETIO_MESSAGE_QUEUE": "redis://127.0.0.1:6379/0",
        "MEETING_SOCKETIO_CHANNEL": f"meeting-test-{uuid.uuid4().hex}",
    }
    with (
        live_server(tmp_path, extra_env=queue, name="a") as (base_a, _),
        live_server(tmp_path, seed_demo=False, extra_env=queue, name="b") as (base_b, _),
    ):
        tablet_http = signed_in(base_a, "daibieu1")
        tablet = connect(base_a, tablet_http)
        closed = threading.Event()
        tablet.on("disconnect", lambda *args: closed.set())
        try:
            phone = signed_in(base_b, "daibieu1")
            page = phone.get(base_b + "/meetings", timeout=10).text
            token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
            out = phone.post(
                base_b + "/logout", data={"csrf_token": token}, allow_redirects=False, timeout=10
            )
            assert out.status_code == 302
            assert closed.wait(5), "the tablet's socket on the other process stayed open"
            answer = tablet_http.get(base_a + "/meetings", allow_redirects=False, timeout=10)
            assert answer.status_code == 302  # its copy of the session is over too
        finally:
            tablet.disconnect()

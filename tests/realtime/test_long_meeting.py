"""A six-hour meeting on a tablet, on a shortened clock: the page's form token and session stay
good as long as the meeting screen is open; a browser left alone still idles out."""

from __future__ import annotations

import re
import types
from datetime import timedelta

import itsdangerous.timed
import pytest

from meeting_server.extensions import db, socketio
from meeting_server.models import CheckInMethod
from meeting_server.services import attendance, sessions
from meeting_server.services.presentations import start_meeting
from tests.support.clients import PASSWORD
from tests.support.people import actor, invitation

STEP = timedelta(minutes=5)  # how often an open live page says it is still there


class Clock:
    """The time the sessions and the CSRF tokens see, moved forward by the test."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.offset = timedelta()
        real_utcnow, real_time = sessions.utcnow, itsdangerous.timed.time.time
        monkeypatch.setattr(sessions, "utcnow", lambda: real_utcnow() + self.offset)
        shifted = types.SimpleNamespace(time=lambda: real_time() + self.offset.total_seconds())
        monkeypatch.setattr(itsdangerous.timed, "time", shifted)

    def advance(self, delta: timedelta) -> None:
        self.offset += delta


@pytest.fixture
def tablet(make_app, published_meeting, monkeypatch):
    """daibieu1's tablet on an app that checks CSRF: (http client, socket, page token, clock)."""
    start_meeting(actor(), published_meeting)
    attendance.check_in(actor(), invitation(published_meeting, "daibieu1"), method=CheckInMethod.QR)
    db.session.commit()
    clock = Clock(monkeypatch)
    app = make_app(WTF_CSRF_ENABLED=True, IDLE_TIMEOUT_MINUTES=30)
    http = app.test_client()
    login = http.get("/login").get_data(as_text=True)
    form_token = re.search(r'name="csrf_token" value="([^"]+)"', login).group(1)
    http.post(
        "/login", data={"username": "daibieu1", "password": PASSWORD, "csrf_token": form_token}
    )
    page = http.get(f"/tablet/meetings/{published_meeting.id}").get_data(as_text=True)
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    socket = socketio.test_client(app, flask_test_client=http)
    assert socket.is_connected()
    return http, socket, token, clock


def ask_to_speak(http, meeting, token):
    return http.post(
        f"/tablet/meetings/{meeting.id}/speaking",
        json={"topic": "Ý kiến về báo cáo"},
        headers={"X-CSRFToken": token, "Accept": "application/json"},
    )


def test_a_six_hour_meeting_needs_no_reload(tablet, published_meeting):
    http, socket, token, clock = tablet
    for _ in range(6 * 60 // 5):  # six hours of an open meeting screen, nothing else done
        clock.advance(STEP)
        assert socket.emit("still_here", callback=True) == {"ok": True, "error": None}

    answer = ask_to_speak(http, published_meeting, token)  # the token from six hours ago

    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert answer.get_json()["ok"]


def test_a_browser_left_alone_idles_out(tablet, published_meeting):
    http, socket, token, clock = tablet
    socket.disconnect()  # the page was closed
    clock.advance(timedelta(minutes=31))

    answer = ask_to_speak(http, published_meeting, token)

    assert answer.status_code in (302, 401)  # to the sign-in form
    assert http.get("/meetings").status_code == 302

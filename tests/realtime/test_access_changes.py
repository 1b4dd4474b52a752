"""Open sockets follow permission changes: uninvited or no longer cleared, a tablet's socket
is closed before the next message, and joins again only with what the person may see now."""

from __future__ import annotations

import time

import pytest

from meeting_server.extensions import db, socketio
from meeting_server.models import CheckInMethod
from meeting_server.services import attendance
from meeting_server.services.agenda import add_item
from meeting_server.services.participants import update_invitation
from meeting_server.services.presentations import start_meeting
from tests.support.clients import signed_in
from tests.support.people import actor, invitation


@pytest.fixture
def meeting(app, published_meeting):
    """Published (still being prepared), with a confidential item daibieu1 is cleared for."""
    desk = actor()
    add_item(desk, published_meeting, title="Phương án nhân sự", confidential=True)
    cleared = invitation(published_meeting, "daibieu1")
    update_invitation(desk, cleared, role="member", seat="1", may_view_confidential=True)
    db.session.commit()
    return published_meeting


def tablet(app, http, meeting):
    client = socketio.test_client(app, flask_test_client=http)
    assert client.emit("join_meeting", {"meeting_id": meeting.id}, callback=True)["ok"]
    client.get_received()
    return client


def names(client, wait_s=0.5):
    """Return the names of the events the client received within ``wait_s``."""
    time.sleep(wait_s)
    return [message["name"] for message in client.get_received()]


def test_an_uninvited_persons_socket_is_closed_and_cannot_join_again(app, meeting):
    http = signed_in(app, "daibieu2")
    socket = tablet(app, http, meeting)
    desk = signed_in(app, "thuky")

    removed = desk.post(f"/invitations/{invitation(meeting, 'daibieu2').id}/delete")
    assert removed.status_code == 302
    assert not socket.is_connected()

    desk.post(f"/meetings/{meeting.id}/items", data={"title": "Bổ sung"})  # the next notice
    again = socketio.test_client(app, flask_test_client=http)  # still signed in: reconnects
    assert again.emit("join_meeting", {"meeting_id": meeting.id}, callback=True) == {
        "ok": False,
        "error": "forbidden",
    }
    assert "agenda_changed" not in names(again)


def test_a_withdrawn_clearance_stops_confidential_questions(app, meeting):
    http = signed_in(app, "daibieu1")
    socket = tablet(app, http, meeting)
    desk = signed_in(app, "thuky")
    cleared = invitation(meeting, "daibieu1")

    withdrawn = desk.post(
        f"/invitations/{cleared.id}", data={"role": "member", "seat": "1"}
    )  # the confidential box left unticked
    assert withdrawn.status_code == 302
    assert not socket.is_connected()

    again = tablet(app, http, meeting)  # rejoins, now with the public audience
    start_meeting(actor(), meeting)
    attendance.check_in(actor(), invitation(meeting, "chutich"), method=CheckInMethod.QR)
    db.session.commit()
    again.get_received()
    secret_item = next(item for item in meeting.agenda_items if item.confidential)
    opened = signed_in(app, "chutich").post(
        f"/tablet/meetings/{meeting.id}/votes",
        json={"item_id": secret_item.id, "question": "Đồng ý phương án nhân sự?"},
    )
    assert opened.get_json()["ok"]
    time.sleep(0.3)
    received = again.get_received()
    assert [message["name"] for message in received] == ["notice_withheld"]
    assert "Đồng ý phương án nhân sự?" not in repr(received)


def test_a_change_that_keeps_what_they_see_keeps_the_socket_open(app, meeting):
    http = signed_in(app, "daibieu1")
    socket = tablet(app, http, meeting)
    cleared = invitation(meeting, "daibieu1")
    signed_in(app, "thuky").post(
        f"/invitations/{cleared.id}",
        data={"role": "member", "seat": "1", "may_view_confidential": "on"},
    )
    assert socket.is_connected()

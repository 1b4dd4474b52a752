"""Socket.IO: who may connect and join, which tablets get which notice and state, resync."""

from __future__ import annotations

import io

import pytest

from meeting_server.extensions import db, socketio
from meeting_server.models import Meeting, User
from meeting_server.services.agenda import add_item
from meeting_server.services.meetings import publish_meeting
from meeting_server.services.participants import invite_users, update_invitation
from tests.support import pdf_samples
from tests.support.clients import log_in

JSON = {"Accept": "application/json"}


@pytest.fixture
def published(app, secretary, draft_meeting, participant, create_user):
    """A published meeting with an open and a confidential item; daibieu2 may see confidential."""
    cleared = create_user("daibieu2", full_name="Hoàng Thị Bình")
    with app.app_context():
        actor = db.session.get(User, secretary.id)
        meeting = db.session.get(Meeting, draft_meeting.id)
        invitations = invite_users(
            actor, meeting, [db.session.get(User, u.id) for u in (participant, cleared)]
        )
        update_invitation(actor, invitations[1], role="member", seat="", may_view_confidential=True)
        items = [
            add_item(actor, meeting, title="Công khai"),
            add_item(actor, meeting, title="Mật", confidential=True),
        ]
        publish_meeting(actor, meeting)
        db.session.commit()
        return {
            "meeting": meeting.id,
            "open": items[0].id,
            "secret": items[1].id,
            "seq": meeting.seq,
        }


def tablet(app, username):
    """Return a Socket.IO client signed in as ``username`` (its own HTTP session)."""
    http = app.test_client()
    log_in(http, username)
    return socketio.test_client(app, flask_test_client=http), http


def join(client, meeting_id, last_seq=None):
    return client.emit(
        "join_meeting", {"meeting_id": meeting_id, "last_seq": last_seq}, callback=True
    )


def kinds(client):
    return [(message["name"], message["args"][0]["ids"]) for message in client.get_received()]


def test_connect_is_refused_without_a_session(app):
    anonymous = socketio.test_client(app, flask_test_client=app.test_client())
    assert not anonymous.is_connected()


def test_join_is_checked_at_every_join(app, published, participant, outsider):
    invited, _ = tablet(app, "daibieu1")
    assert invited.is_connected()
    ack = join(invited, published["meeting"])
    assert ack["ok"] and ack["seq"] == published["seq"]
    assert ack["state"]["mine"]["reader"]["id"] == participant.id  # new here: the whole state
    assert [item["title"] for item in ack["state"]["items"]] == ["Công khai"]
    stranger, _ = tablet(app, "daibieu9")
    assert join(stranger, published["meeting"]) == {"ok": False, "error": "forbidden"}
    assert join(stranger, 99999) == {"ok": False, "error": "not_found"}
    assert stranger.emit("join_meeting", "nonsense", callback=True)["error"] == "bad_request"


def test_notices_reach_exactly_the_right_tablets(app, published, secretary, participant, outsider):
    plain, _ = tablet(app, "daibieu1")
    cleared, _ = tablet(app, "daibieu2")
    stranger, _ = tablet(app, "daibieu9")
    for client in (plain, cleared):
        assert join(client, published["meeting"])["ok"]
    join(stranger, published["meeting"])
    for client in (plain, cleared, stranger):
        client.get_received()
    desk = app.test_client()
    log_in(desk, "thuky")
    open_doc = desk.post(
        f"/items/{published['open']}/documents",
        headers=JSON,
        data={"file": (io.BytesIO(pdf_samples.simple_pdf()), "a.pdf")},
    ).json
    secret_doc = desk.post(
        f"/items/{published['secret']}/documents",
        headers=JSON,
        data={"file": (io.BytesIO(pdf_samples.simple_pdf(pages=3)), "b.pdf")},
    ).json
    plain_notices, cleared_notices = plain.get_received(), cleared.get_received()
    # every reader gets every number; the confidential one is withheld from daibieu1
    assert [(n["name"], n["args"][0]["ids"]) for n in plain_notices] == [
        ("document_added", [open_doc["document_id"]]),
        ("notice_withheld", []),
    ]
    assert [(n["name"], n["args"][0]["ids"]) for n in cleared_notices] == [
        ("document_added", [open_doc["document_id"]]),
        ("document_added", [secret_doc["document_id"]]),
    ]
    # each notice carries the documents as its reader's audience sees them, read after commit
    titles = [[d["title"] for d in n["args"][0]["state"]["documents"]] for n in plain_notices]
    assert titles == [["a"], ["a"]]
    last = cleared_notices[-1]["args"][0]
    assert [d["title"] for d in last["state"]["documents"]] == ["a", "b"]
    assert last["seq"] == plain_notices[-1]["args"][0]["seq"]
    assert stranger.get_received() == []


def test_a_refused_change_sends_nothing(app, published, participant, secretary):
    plain, _ = tablet(app, "daibieu1")
    join(plain, published["meeting"])
    plain.get_received()
    desk = app.test_client()
    log_in(desk, "thuky")
    refused = desk.post(
        f"/items/{published['open']}/documents",
        headers=JSON,
        data={"file": (io.BytesIO(pdf_samples.javascript_pdf()), "x.pdf")},
    )
    assert refused.status_code == 422
    assert plain.get_received() == []


def test_a_tablet_that_missed_notices_gets_the_whole_state_when_it_joins(
    app, published, participant, secretary
):
    plain, _ = tablet(app, "daibieu1")
    seen = join(plain, published["meeting"])["seq"]
    plain.disconnect()
    desk = app.test_client()
    log_in(desk, "thuky")
    desk.post(
        f"/items/{published['open']}/documents",
        headers=JSON,
        data={"file": (io.BytesIO(pdf_samples.simple_pdf()), "a.pdf")},
    )
    desk.post(
        f"/items/{published['secret']}/documents",
        headers=JSON,
        data={"file": (io.BytesIO(pdf_samples.simple_pdf(pages=3)), "b.pdf")},
    )
    desk.post(f"/meetings/{published['meeting']}/items", data={"title": "Bổ sung"})
    back, _ = tablet(app, "daibieu1")
    ack = join(back, published["meeting"], last_seq=seen)
    assert ack["seq"] == seen + 3  # the confidential one is numbered too
    assert [item["title"] for item in ack["state"]["items"]] == ["Công khai", "Bổ sung"]
    assert [d["title"] for d in ack["state"]["documents"]] == ["a"]
    assert join(back, published["meeting"], last_seq=ack["seq"])["state"] is None  # current
    assert join(back, published["meeting"], last_seq=ack["seq"] + 5)["state"] is not None


def test_the_agenda_a_tablet_re_reads_is_permission_checked(app, published, participant, outsider):
    _, plain = tablet(app, "daibieu1")
    page = plain.get(f"/meetings/{published['meeting']}/agenda")
    assert page.status_code == 200 and "no-store" in page.headers["Cache-Control"]
    text = page.get_data(as_text=True)
    assert "Công khai" in text and "Mật" not in text
    _, cleared = tablet(app, "daibieu2")
    assert "Mật" in cleared.get(f"/meetings/{published['meeting']}/agenda").get_data(as_text=True)
    _, stranger = tablet(app, "daibieu9")
    assert stranger.get(f"/meetings/{published['meeting']}/agenda").status_code == 403

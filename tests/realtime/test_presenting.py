"""Running the meeting: start/end, the current item, and tablets following the presenter."""

from __future__ import annotations

import io

import pytest

from meeting_server.extensions import db, socketio
from meeting_server.models import Meeting, User
from meeting_server.services.agenda import add_item
from meeting_server.services.documents import add_document
from meeting_server.services.meetings import publish_meeting
from meeting_server.services.participants import invite_users, update_invitation
from tests.support import pdf_samples
from tests.support.clients import signed_in

JSON = {"Accept": "application/json"}


@pytest.fixture
def room_meeting(app, secretary, chair, draft_meeting, participant, create_user):
    """A published meeting: an open item (with a 3-page PDF, presented by daibieu3) and a
    confidential one (2-page PDF); daibieu2 is cleared for confidential items."""
    cleared = create_user("daibieu2", full_name="Hoàng Thị Bình")
    speaker = create_user("daibieu3", full_name="Lê Văn Cường")
    with app.app_context():
        actor = db.session.get(User, secretary.id)
        meeting = db.session.get(Meeting, draft_meeting.id)
        people = [db.session.get(User, u.id) for u in (participant, cleared, speaker)]
        invitations = invite_users(actor, meeting, people)
        update_invitation(actor, invitations[1], role="member", seat="", may_view_confidential=True)
        open_item = add_item(actor, meeting, title="Công khai", presenter=people[2])
        secret_item = add_item(actor, meeting, title="Mật", confidential=True)
        open_doc = add_document(
            actor, open_item, stream=io.BytesIO(pdf_samples.simple_pdf(pages=3)), filename="a.pdf"
        )
        secret_doc = add_document(
            actor, secret_item, stream=io.BytesIO(pdf_samples.simple_pdf()), filename="b.pdf"
        )
        publish_meeting(actor, meeting)
        db.session.commit()
        return {
            "meeting": meeting.id,
            "open_item": open_item.id,
            "secret_item": secret_item.id,
            "open_doc": open_doc.id,
            "secret_doc": secret_doc.id,
        }


def tablet(app, username, meeting_id):
    http = signed_in(app, username)
    client = socketio.test_client(app, flask_test_client=http)
    assert client.emit("join_meeting", {"meeting_id": meeting_id}, callback=True)["ok"]
    client.get_received()
    return client


def received(client):
    return [(m["name"], m["args"][0]) for m in client.get_received()]


def present(client, document_id, page, zoom=100, version=1):
    return client.emit(
        "present_page",
        {"document_id": document_id, "version": version, "page": page, "zoom": zoom},
        callback=True,
    )


def test_the_chair_starts_and_ends_the_meeting_and_tablets_hear_it(
    app, room_meeting, chair, participant
):
    meeting_id = room_meeting["meeting"]
    follower = tablet(app, "daibieu1", meeting_id)
    member = signed_in(app, "daibieu1")
    assert member.post(f"/tablet/meetings/{meeting_id}/start", headers=JSON).status_code == 403
    desk = signed_in(app, "chutich")
    assert desk.post(f"/tablet/meetings/{meeting_id}/start", headers=JSON).json["ok"]
    again = desk.post(f"/tablet/meetings/{meeting_id}/start", headers=JSON)
    assert again.status_code == 409
    assert again.json["error"] == "Only a published meeting that has not started can be started."
    assert [kind for kind, _ in received(follower)] == ["meeting_started"]
    assert desk.post(f"/tablet/meetings/{meeting_id}/end", headers=JSON).json["ok"]
    assert [kind for kind, _ in received(follower)] == ["meeting_ended"]
    state = member.get(f"/tablet/meetings/{meeting_id}/state").json
    assert state["meeting"]["status"] == "ended" and state["presentation"] is None


def test_presenting_needs_a_started_meeting_and_the_right_person(
    app, room_meeting, chair, participant
):
    meeting_id = room_meeting["meeting"]
    chair_tablet = tablet(app, "chutich", meeting_id)
    assert present(chair_tablet, room_meeting["open_doc"], 1)["error"] == "forbidden"
    signed_in(app, "chutich").post(f"/tablet/meetings/{meeting_id}/start", headers=JSON)
    member = tablet(app, "daibieu1", meeting_id)
    assert present(member, room_meeting["open_doc"], 2) == {"ok": False, "error": "forbidden"}
    speaker = tablet(app, "daibieu3", meeting_id)
    assert present(speaker, room_meeting["open_doc"], 2)["ok"]  # the item's presenter
    assert present(speaker, room_meeting["secret_doc"], 1)["error"] == "forbidden"
    assert present(chair_tablet, room_meeting["open_doc"], 9)["error"] == (
        "This page does not exist in the document."
    )
    assert present(chair_tablet, room_meeting["open_doc"], 1, zoom=900)["ok"] is False
    assert present(chair_tablet, room_meeting["open_doc"], 1, version=2)["ok"] is False
    assert chair_tablet.emit("present_page", {"page": 1}, callback=True)["error"] == "bad_request"


def test_tablets_follow_the_presenter_page_by_page(app, room_meeting, chair, participant):
    meeting_id = room_meeting["meeting"]
    signed_in(app, "chutich").post(f"/tablet/meetings/{meeting_id}/start", headers=JSON)
    chair_tablet = tablet(app, "chutich", meeting_id)
    plain = tablet(app, "daibieu1", meeting_id)
    cleared = tablet(app, "daibieu2", meeting_id)
    chair_id = chair.id
    for page in (1, 2, 3):
        ack = present(chair_tablet, room_meeting["open_doc"], page, zoom=150)
        assert ack["ok"]
    notices = received(plain)
    assert [kind for kind, _ in notices] == ["current_item_changed"] + [
        "presenter_page_changed"
    ] * 3
    assert [n["state"] for kind, n in notices[1:]] == [
        {
            "presentation": {
                "document_id": room_meeting["open_doc"],
                "version": 1,
                "page": page,
                "zoom": 150,
                "presenter_id": chair_id,
                "presenter": "Trần Văn Minh",
            }
        }
        for page in (1, 2, 3)
    ]
    assert notices[0][1]["state"] == {"current_item_id": room_meeting["open_item"]}
    assert notices[-1][1]["seq"] == ack["seq"]
    received(cleared)
    present(chair_tablet, room_meeting["secret_doc"], 2)
    assert [kind for kind, _ in received(cleared)] == [
        "current_item_changed",
        "presenter_page_changed",
    ]
    plain_notices = received(plain)  # the numbers, not the page: not even which item is current
    assert [kind for kind, _ in plain_notices] == ["current_item_changed", "notice_withheld"]
    assert [n["state"] for _, n in plain_notices] == [
        {"current_item_id": None},
        {"presentation": None},
    ]
    stop = chair_tablet.emit("stop_presenting", {"meeting_id": meeting_id}, callback=True)
    assert stop["ok"]
    last = received(cleared)[-1]
    assert last[0] == "presenter_page_changed" and last[1]["ids"] == []
    assert last[1]["state"] == {"presentation": None}


def test_a_plain_tablet_never_hears_which_confidential_page_is_shown(
    app, room_meeting, chair, participant
):
    meeting_id = room_meeting["meeting"]
    signed_in(app, "chutich").post(f"/tablet/meetings/{meeting_id}/start", headers=JSON)
    chair_tablet = tablet(app, "chutich", meeting_id)
    plain = tablet(app, "daibieu1", meeting_id)
    present(chair_tablet, room_meeting["secret_doc"], 2)
    assert [kind for kind, _ in received(plain)] == ["current_item_changed", "notice_withheld"]
    state = signed_in(app, "daibieu1").get(f"/tablet/meetings/{meeting_id}/state").json
    assert state["presentation"] is None and state["current_item_id"] is None
    cleared_state = signed_in(app, "daibieu2").get(f"/tablet/meetings/{meeting_id}/state").json
    assert cleared_state["presentation"]["page"] == 2
    assert cleared_state["current_item_id"] == room_meeting["secret_item"]


def test_a_reconnecting_tablet_gets_the_presenter_page_in_its_join(
    app, room_meeting, chair, participant
):
    meeting_id = room_meeting["meeting"]
    signed_in(app, "chutich").post(f"/tablet/meetings/{meeting_id}/start", headers=JSON)
    plain = tablet(app, "daibieu1", meeting_id)
    seen = plain.emit("join_meeting", {"meeting_id": meeting_id}, callback=True)["seq"]
    plain.disconnect()
    chair_tablet = tablet(app, "chutich", meeting_id)
    present(chair_tablet, room_meeting["open_doc"], 3)
    back = socketio.test_client(app, flask_test_client=signed_in(app, "daibieu1"))
    ack = back.emit("join_meeting", {"meeting_id": meeting_id, "last_seq": seen}, callback=True)
    assert ack["seq"] == seen + 2
    assert ack["state"]["presentation"]["page"] == 3
    assert ack["state"]["current_item_id"] == room_meeting["open_item"]


def test_page_turns_do_not_change_the_meeting_version(app, room_meeting, chair):
    meeting_id = room_meeting["meeting"]
    desk = signed_in(app, "chutich")
    desk.post(f"/tablet/meetings/{meeting_id}/start", headers=JSON)
    before = desk.get(f"/tablet/meetings/{meeting_id}/state").json["meeting"]
    chair_tablet = tablet(app, "chutich", meeting_id)
    present(chair_tablet, room_meeting["open_doc"], 2)
    after = desk.get(f"/tablet/meetings/{meeting_id}/state").json["meeting"]
    assert after["version"] == before["version"] and after["seq"] == before["seq"] + 2


def test_the_secretary_moves_the_meeting_to_an_item(app, room_meeting, secretary, participant):
    meeting_id = room_meeting["meeting"]
    desk = signed_in(app, "thuky")
    item_url = f"/tablet/items/{room_meeting['open_item']}/current"
    assert desk.post(item_url, headers=JSON).json["error"] == "Start the meeting first."
    desk.post(f"/tablet/meetings/{meeting_id}/start", headers=JSON)
    plain = tablet(app, "daibieu1", meeting_id)
    assert signed_in(app, "daibieu1").post(item_url, headers=JSON).status_code == 403
    assert desk.post(item_url, headers=JSON).json["ok"]
    assert received(plain)[0][1]["ids"] == [room_meeting["open_item"]]
    state = signed_in(app, "daibieu1").get(f"/tablet/meetings/{meeting_id}/state").json
    assert state["current_item_id"] == room_meeting["open_item"]

"""The tablet's conduct panel over HTTP and Socket.IO: votes and requests to speak, live."""

from __future__ import annotations

import io
import time

import pytest

from meeting_server.extensions import db, socketio
from meeting_server.models import CheckInMethod
from meeting_server.services import attendance
from meeting_server.services.documents import add_document
from meeting_server.services.presentations import start_meeting
from tests.support import pdf_samples
from tests.support.clients import signed_in
from tests.support.people import actor, invitation


@pytest.fixture
def meeting(app, published_meeting):
    """In progress; the chair, daibieu1 and daibieu2 checked in, the others not."""
    start_meeting(actor(), published_meeting)
    for name in ("chutich", "daibieu1", "daibieu2"):
        attendance.check_in(actor(), invitation(published_meeting, name), method=CheckInMethod.QR)
    db.session.commit()
    return published_meeting


def tablet(app, username):
    http = signed_in(app, username)
    client = socketio.test_client(app, flask_test_client=http)
    assert client.emit("join_meeting", {"meeting_id": 1}, callback=True)["ok"]
    return client, http


def received(client, name, wait_s=2.0):
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        for message in client.get_received():
            if message["name"] == name:
                return message["args"][0]
        time.sleep(0.02)
    raise AssertionError(f"{name} never arrived")


def conduct_of(http, meeting):
    """Return the conduct part of the reader's state, with their own part (``mine``)."""
    state = http.get(f"/tablet/meetings/{meeting.id}/state").get_json()
    return state["conduct"] | {"me": state["mine"]["me"], "voted": state["mine"]["voted"]}


def test_a_vote_runs_live_from_opening_to_results(app, meeting):
    chair = signed_in(app, "chutich")
    member_socket, member = tablet(app, "daibieu1")
    item = meeting.agenda_items[0]

    opened = chair.post(
        f"/tablet/meetings/{meeting.id}/votes",
        json={"item_id": item.id, "question": "Thông qua báo cáo?", "secret": True},
    ).get_json()
    assert opened["ok"], opened
    notice = received(member_socket, "vote_opened")
    vote = notice["state"]["conduct.vote"]
    assert vote["question"] == "Thông qua báo cáo?"  # no extra request needed
    assert (vote["cast"], vote["eligible"]) == (0, 3)
    vote_id = opened["vote_id"]

    assert member.post(f"/tablet/votes/{vote_id}/ballot", json={"choice": 0}).get_json()["ok"]
    count = received(member_socket, "vote_count_changed")
    assert (count["cast"], count["eligible"]) == (1, 3)
    again = member.post(f"/tablet/votes/{vote_id}/ballot", json={"choice": 1})
    assert again.status_code == 409 and "already counted" in again.get_json()["error"]
    guest = signed_in(app, "khach").post(f"/tablet/votes/{vote_id}/ballot", json={"choice": 1})
    assert guest.status_code == 409 and "Check in first" in guest.get_json()["error"]
    assert member.post(f"/tablet/votes/{vote_id}/close").status_code == 403  # not the chair
    assert conduct_of(member, meeting)["voted"] == [vote_id]

    assert chair.post(f"/tablet/votes/{vote_id}/ballot", json={"choice": 2}).get_json()["ok"]
    closed = chair.post(f"/tablet/votes/{vote_id}/close").get_json()
    assert closed["ok"]
    closing = received(member_socket, "vote_closed")["state"]
    assert closing["conduct.vote"] is None
    results = closing["conduct.last_vote"]
    assert [r["count"] for r in results["results"]] == [1, 0, 1]
    assert (results["cast"], results["eligible"]) == (2, 3)
    state = conduct_of(member, meeting)
    assert state["vote"] is None and state["last_vote"]["results"] == results["results"]


def test_votes_are_refused_clearly(app, meeting):
    chair = signed_in(app, "chutich")
    url = f"/tablet/meetings/{meeting.id}/votes"
    no_item = chair.post(url, json={"question": "?"})
    assert no_item.status_code == 400 and "agenda item" in no_item.get_json()["error"]
    item_id = meeting.agenda_items[0].id
    empty = chair.post(url, json={"item_id": item_id, "question": "  "})
    assert empty.status_code == 400 and "question" in empty.get_json()["error"]
    member = signed_in(app, "daibieu1")
    assert member.post(url, json={"item_id": item_id, "question": "Q?"}).status_code == 403
    vote_id = chair.post(url, json={"item_id": item_id, "question": "Q?"}).get_json()["vote_id"]
    wrong = member.post(f"/tablet/votes/{vote_id}/ballot", json={"choice": "x"})
    assert wrong.status_code == 400 and "Choose one of the options" in wrong.get_json()["error"]


def test_the_queue_to_speak_is_live_and_the_chair_gives_the_floor(app, meeting):
    chair_socket, chair = tablet(app, "chutich")
    member = signed_in(app, "daibieu2")
    asked = member.post(
        f"/tablet/meetings/{meeting.id}/speaking",
        json={"topic": "Về tiến độ", "item_id": meeting.agenda_items[0].id},
    ).get_json()
    assert asked["ok"]
    assert received(chair_socket, "speaking_changed")["ids"] == [asked["request_id"]]
    queue = conduct_of(chair, meeting)["speaking"]
    assert [(r["name"], r["topic"], r["status"]) for r in queue] == [
        ("Daibieu2", "Về tiến độ", "waiting")
    ]
    assert member.post(f"/tablet/speaking/{asked['request_id']}/floor").status_code == 403
    assert chair.post(f"/tablet/speaking/{asked['request_id']}/floor").get_json()["ok"]
    assert conduct_of(member, meeting)["speaking"][0]["status"] == "speaking"
    assert chair.post(f"/tablet/speaking/{asked['request_id']}/end").get_json()["ok"]
    assert conduct_of(member, meeting)["speaking"] == []


def test_the_chair_sees_the_quorum_and_members_their_own_attendance(app, meeting):
    chair_state = conduct_of(signed_in(app, "chutich"), meeting)
    assert chair_state["quorum"] == {"members": 5, "present": 3, "required": 3, "met": True}
    member_state = conduct_of(signed_in(app, "daibieu3"), meeting)
    assert member_state["quorum"] is None
    assert member_state["me"] == {
        "invited": True,
        "status": None,
        "late": False,
        "may_vote_now": False,
    }


def test_a_request_to_speak_can_be_about_the_document_being_read(app, meeting):
    item = meeting.agenda_items[0]
    document = add_document(
        actor(), item, stream=io.BytesIO(pdf_samples.simple_pdf(pages=1)), filename="to-trinh.pdf"
    )
    db.session.commit()
    member = signed_in(app, "daibieu1")
    url = f"/tablet/meetings/{meeting.id}/speaking"
    assert member.post(url, json={"document_id": document.id}).get_json()["ok"]
    (request,) = conduct_of(member, meeting)["speaking"]
    assert (request["document"], request["item"]) == (document.title, item.title)
    unknown = signed_in(app, "daibieu2").post(url, json={"document_id": 9999})
    assert unknown.status_code == 400 and "not part of this meeting" in unknown.get_json()["error"]

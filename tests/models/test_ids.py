"""Identifiers from outside: a number the database cannot hold, a Unicode digit, ``true`` or
``null`` is "no such object" (404, or the form's clear message), never a 500 or a silent socket."""

from __future__ import annotations

import pytest

from meeting_server.extensions import db, socketio
from meeting_server.models import User
from meeting_server.models.ids import MAX_ID, parse_id, parse_ids
from meeting_server.services.presentations import start_meeting
from tests.support.clients import signed_in

TOO_BIG = str(MAX_ID + 1)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (7, 7),
        ("7", 7),
        (" 12 ", 12),
        (MAX_ID, MAX_ID),
        (str(MAX_ID), MAX_ID),
        (MAX_ID + 1, None),
        (TOO_BIG, None),
        ("9" * 400, None),
        (0, None),
        (-3, None),
        ("-3", None),
        ("²", None),
        ("١٢", None),  # Arabic-Indic digits: int() reads them, the database never wrote them
        ("7.0", None),
        (7.0, None),
        (True, None),
        (None, None),
        ([7], None),
        ("", None),
    ],
)
def test_parse_id_takes_only_a_positive_64_bit_integer(raw, expected):
    assert parse_id(raw) == expected


def test_parse_ids_keeps_order_drops_repeats_and_stops_at_the_limit():
    assert parse_ids(["3", 1, "x", 3, "²", 2, 9], limit=3) == [3, 1, 2]
    assert parse_ids("3,1", limit=5) == []  # not a list


@pytest.mark.parametrize(
    "path",
    [
        f"/meetings/{TOO_BIG}",
        "/meetings/²",
        "/meetings/١٢",
        f"/meetings/{'9' * 30}/agenda",
        f"/documents/{TOO_BIG}/versions/1/pages/1/thumbnail?w=160",
        f"/documents/1/versions/{TOO_BIG}/pages/1/thumbnail?w=160",
        f"/tablet/meetings/{TOO_BIG}",
        f"/signing/requests/{TOO_BIG}",
    ],
)
def test_an_id_the_database_cannot_hold_is_not_found(app, published_meeting, path):
    http = signed_in(app, "thuky")
    assert http.get(path).status_code == 404


def test_ids_in_forms_and_json_get_the_forms_message(app, secretary, published_meeting):
    start_meeting(db.session.get(User, secretary.id), published_meeting)
    db.session.commit()
    http = signed_in(app, "thuky")
    meeting_id = published_meeting.id
    refused = http.post(
        f"/tablet/meetings/{meeting_id}/votes",
        json={"item_id": TOO_BIG, "question": "Thông qua?"},
        headers={"Accept": "application/json"},
    )
    assert refused.status_code == 400
    assert refused.get_json()["error"] == "Choose the agenda item to vote on."
    invited = http.post(
        f"/meetings/{meeting_id}/participants", data={"user_ids": ["²", TOO_BIG, "-1"]}
    )
    assert invited.status_code == 302  # nobody to add; the page says so
    created = http.post(
        "/meetings/new",
        data={"title": "Họp", "room_id": TOO_BIG, "starts_at": "2030-01-01T08:00"},
    )
    assert created.status_code == 400
    assert "Choose a room." in created.get_data(as_text=True)


@pytest.mark.parametrize("meeting_id", [None, True, MAX_ID + 1, 2**70, "²", [1], {"a": 1}])
def test_a_socket_with_a_bad_meeting_id_is_answered(app, published_meeting, meeting_id):
    http = signed_in(app, "daibieu1")
    client = socketio.test_client(app, flask_test_client=http)
    joined = client.emit("join_meeting", {"meeting_id": meeting_id}, callback=True)
    stopped = client.emit("stop_presenting", {"meeting_id": meeting_id}, callback=True)
    moved = client.emit(
        "present_page",
        {"document_id": meeting_id, "version": 1, "page": 2**70, "zoom": 100},
        callback=True,
    )
    assert (joined["ok"], joined["error"]) == (False, "bad_request")
    assert (stopped["ok"], stopped["error"]) == (False, "bad_request")
    assert (moved["ok"], moved["error"]) == (False, "bad_request")
    client.disconnect()

"""Attendance over HTTP: the board and its state, roll call, door codes, self check-in."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import segno
from sqlalchemy import select

from meeting_server.extensions import db
from meeting_server.models import Attendance, CheckInMethod, Meeting
from meeting_server.services import attendance
from meeting_server.services.agenda import add_item
from meeting_server.services.meetings import create_meeting, publish_meeting
from meeting_server.services.participants import invite_users
from meeting_server.services.presentations import start_meeting
from meeting_server.services.rooms import create_room
from tests.support.clients import PASSWORD, signed_in
from tests.support.people import actor, invitation

COOKIE = "meeting_device"


@pytest.fixture
def meeting(published_meeting):
    return published_meeting


@pytest.fixture
def desk(app, meeting):
    """The secretary's browser at the door (English)."""
    return signed_in(app, "thuky")


def board_url(meeting, rest=""):
    return f"/meetings/{meeting.id}/attendance{rest}"


def state_of(http, meeting) -> dict:
    reply = http.get(board_url(meeting, "/state"))
    assert reply.status_code == 200, reply.get_data(as_text=True)[:300]
    return reply.get_json()


def person(state: dict, name: str) -> dict:
    return next(p for p in state["people"] if p["name"] == name)


def roll_call(http, meeting, username, **body):
    inv = invitation(meeting, username)
    return http.post(board_url(meeting, f"/{inv.id}"), json=body)


def part(mapping: dict, *keys: str) -> dict:
    """Return only ``keys`` of ``mapping`` (to compare a few fields of an answer)."""
    return {key: mapping[key] for key in keys}


def record_of(meeting, username) -> Attendance | None:
    db.session.expire_all()
    return attendance.attendance_of(invitation(meeting, username))


def other_meeting(secretary_name="thuky", *invitees: str) -> Meeting:
    """Publish a second meeting tomorrow in another room inviting ``invitees``."""
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=1, hours=3)
    room = create_room(None, name="Phòng họp số 2", location="Tầng 4", seat_count=10)
    second = create_meeting(
        actor(secretary_name),
        title="Họp chuyên đề",
        room=room,
        starts_at=start,
        ends_at=start + timedelta(hours=1),
    )
    invite_users(actor(), second, [actor(name) for name in invitees])
    add_item(actor(), second, title="Báo cáo")
    publish_meeting(actor(), second)
    db.session.commit()
    return second


# ---- who may do what ------------------------------------------------------------------------


def test_the_board_and_its_state_are_for_the_secretariat_and_the_chair(app, meeting, desk):
    assert desk.get(board_url(meeting)).status_code == 200
    assert signed_in(app, "chutich").get(board_url(meeting, "/state")).status_code == 200
    for username in ("daibieu1", "khach", "phogiamdoc"):
        http = signed_in(app, username)
        assert http.get(board_url(meeting)).status_code == 403
        assert http.get(board_url(meeting, "/state")).status_code == 403
        assert http.get(board_url(meeting, "/room-qr")).status_code == 403
        assert roll_call(http, meeting, "daibieu2", action="present").status_code == 403
        assert http.post(board_url(meeting, "/scan"), json={"code": "x"}).status_code == 403
    anonymous = app.test_client().get(board_url(meeting))
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]


def test_the_board_lists_seats_in_natural_order_with_everyone_not_yet_arrived(meeting, desk):
    invitation(meeting, "daibieu1").seat = "10"
    db.session.commit()
    page = desk.get(board_url(meeting))
    html = page.get_data(as_text=True)
    assert "Present 0/5 members — 3 needed" in html and "No quorum" in html
    assert 'role="alert"' in html and 'id="quorum-alarm" role="alert" hidden' in html
    assert 'id="scan-code"' in html and 'id="person-panel"' in html and "style=" not in html
    state = state_of(desk, meeting)
    seats = [p["seat"] for p in state["people"]]
    assert seats == ["2", "3", "4", "10", "", "", ""]  # then chair, guest, secretary
    assert [p["role"] for p in state["people"][4:]] == ["chair", "guest", "secretary"]
    # Everyone but the secretary, who runs the board, is counted as not yet arrived.
    assert state["counts"]["not_arrived"] == 6 and sum(state["counts"].values()) == 6
    assert state["quorum"] == {
        "members": 5,
        "present": 0,
        "required": 3,
        "met": False,
        "percent": 50,
    }
    assert state["alarm"] is False  # not started yet: no alarm
    assert state["can_record"] and state["can_delegate"]


def test_the_state_is_never_cached_and_a_chair_after_the_end_only_reads(app, meeting, desk):
    reply = desk.get(board_url(meeting, "/state"))
    assert reply.headers["Cache-Control"] == "no-store"
    start_meeting(actor(), meeting)
    meeting.status = "ended"
    db.session.commit()
    chair = signed_in(app, "chutich")
    state = state_of(chair, meeting)
    assert state["can_record"] is False and "att-tile" in state["board_html"]
    assert "<button" not in state["board_html"]
    assert roll_call(chair, meeting, "daibieu1", action="present").status_code == 403


# ---- roll call --------------------------------------------------------------------------------


def test_roll_call_records_present_online_and_left(meeting, desk):
    answer = roll_call(desk, meeting, "daibieu1", action="present")
    assert answer.status_code == 200 and answer.get_json()["person"]["status"] == "present"
    assert (
        roll_call(desk, meeting, "daibieu2", action="online").get_json()["person"]["status_label"]
        == "Online"
    )
    record = record_of(meeting, "daibieu1")
    assert record.method == CheckInMethod.ROLL_CALL and record.recorded_by_id == actor().id
    refused = roll_call(desk, meeting, "daibieu3", action="leave")
    assert refused.status_code == 409 and "checked in" in refused.get_json()["error"]
    left = roll_call(desk, meeting, "daibieu1", action="leave").get_json()["person"]
    assert left["status"] == "left" and left["checked_out_at"]
    unknown = roll_call(desk, meeting, "daibieu1", action="dance")
    assert unknown.status_code == 400 and "Choose what to record" in unknown.get_json()["error"]
    state = state_of(desk, meeting)
    assert state["counts"]["left"] == 1 and state["counts"]["online"] == 1


def test_an_absence_needs_its_reason(meeting, desk):
    refused = roll_call(desk, meeting, "daibieu3", action="absent", reason="  ")
    assert refused.status_code == 400
    assert refused.get_json() == {
        "ok": False,
        "error": "Give the reason for the absence.",
        "field": "reason",
    }
    done = roll_call(desk, meeting, "daibieu3", action="absent", reason="Nghỉ phép")
    assert done.get_json()["person"]["status"] == "absent"
    shown = person(state_of(desk, meeting), "Daibieu3")
    assert shown["reason"] == "Nghỉ phép" and shown["status_label"] == "Absent"


def test_a_delegation_names_a_deputy_and_a_reason(meeting, desk):
    deputy = actor("phogiamdoc")
    no_deputy = roll_call(desk, meeting, "daibieu4", action="delegate", reason="Đi công tác")
    assert no_deputy.status_code == 400 and "Name the deputy" in no_deputy.get_json()["error"]
    no_reason = roll_call(desk, meeting, "daibieu4", action="delegate", deputy_id=deputy.id)
    assert no_reason.status_code == 400 and "reason" in no_reason.get_json()["error"]
    unknown = roll_call(desk, meeting, "daibieu4", action="delegate", deputy_id=99999, reason="Ốm")
    assert unknown.status_code == 400 and "from the list" in unknown.get_json()["error"]
    oneself = roll_call(
        desk, meeting, "daibieu4", action="delegate", deputy_id=actor("daibieu4").id, reason="Ốm"
    )
    assert oneself.status_code == 400 and "someone other" in oneself.get_json()["error"]

    by_account = roll_call(
        desk, meeting, "daibieu4", action="delegate", deputy_id=str(deputy.id), reason="Đi công tác"
    )
    assert by_account.get_json()["person"]["deputy"] == "Phó Giám đốc Sở"
    by_name = roll_call(
        desk, meeting, "daibieu3", action="delegate", deputy_name="Bà Lê Thị Ba", reason="Ốm"
    )
    assert part(by_name.get_json()["person"], "status", "deputy") == {
        "status": "delegated",
        "deputy": "Bà Lê Thị Ba",
    }
    assert record_of(meeting, "daibieu4").deputy_id == deputy.id
    assert "Deputy: Bà Lê Thị Ba — Ốm" in state_of(desk, meeting)["board_html"]


def test_a_delegation_after_the_start_is_refused(meeting, desk):
    start_meeting(actor(), meeting)
    db.session.commit()
    refused = roll_call(desk, meeting, "daibieu4", action="delegate", deputy_name="A", reason="B")
    assert refused.status_code == 409 and "before the meeting starts" in refused.get_json()["error"]
    assert state_of(desk, meeting)["can_delegate"] is False


def test_roll_call_of_an_invitation_of_another_meeting_is_404(meeting, desk):
    second = other_meeting("thuky", "daibieu1")
    foreign = second.invitations[-1]
    reply = desk.post(board_url(meeting, f"/{foreign.id}"), json={"action": "present"})
    assert reply.status_code == 404


# ---- the quorum ---------------------------------------------------------------------------------


def test_the_quorum_alarm_rises_when_the_meeting_runs_without_quorum(meeting, desk):
    for username in ("chutich", "daibieu1", "daibieu2"):
        assert roll_call(desk, meeting, username, action="present").status_code == 200
    state = state_of(desk, meeting)
    assert part(state["quorum"], "present", "required", "met") == {
        "present": 3,
        "required": 3,
        "met": True,
    }
    start_meeting(actor(), meeting)
    db.session.commit()
    assert state_of(desk, meeting)["alarm"] is False
    roll_call(desk, meeting, "daibieu2", action="leave")
    state = state_of(desk, meeting)
    assert state["alarm"] is True and state["quorum"]["met"] is False
    assert state["quorum_text"] == "Present 2/5 members — 3 needed"
    assert 'id="quorum-alarm" role="alert" hidden' not in desk.get(board_url(meeting)).text


def test_the_quorum_rule_follows_the_meeting_setting(meeting, desk):
    meeting.quorum_percent = 0  # more than 0 %: one member is enough
    db.session.commit()
    roll_call(desk, meeting, "daibieu1", action="online")
    quorum = state_of(desk, meeting)["quorum"]
    assert quorum == {"members": 5, "present": 1, "required": 1, "met": True, "percent": 0}


# ---- self check-in at the seat ------------------------------------------------------------------


def test_an_invitee_checks_in_and_out_from_their_own_screen(app, meeting):
    http = signed_in(app, "daibieu1")
    url = f"/tablet/meetings/{meeting.id}"
    online = http.post(f"{url}/check-in", json={"online": True}).get_json()
    assert online["ok"] and online["status"] == "online" and online["status_label"] == "Online"
    assert record_of(meeting, "daibieu1").method == CheckInMethod.TABLET
    in_room = http.post(f"{url}/check-in", json={}).get_json()
    assert in_room["status"] == "present" and in_room["checked_in_at"]
    left = http.post(f"{url}/check-out", json={}).get_json()
    assert left["status"] == "left" and left["present"] is False
    again = http.post(f"{url}/check-out", json={})
    assert again.status_code == 409 and "checked in" in again.get_json()["error"]
    stranger = signed_in(app, "phogiamdoc").post(f"{url}/check-in", json={})
    assert stranger.status_code == 403
    assert (
        stranger.get_json()["error"] == "Only people invited to this meeting can check in or out."
    )


def test_a_paired_seat_tablet_checks_in_the_person_at_its_seat(app, meeting, create_device):
    _device, token = create_device("2")
    tablet = app.test_client()
    tablet.set_cookie(COOKIE, token)
    answer = tablet.post(f"/tablet/meetings/{meeting.id}/check-in", json={"online": False})
    assert answer.status_code == 200 and answer.get_json()["name"] == "Daibieu2"
    record = record_of(meeting, "daibieu2")
    assert record.status == "present" and record.method == CheckInMethod.TABLET
    left = tablet.post(f"/tablet/meetings/{meeting.id}/check-out", json={}).get_json()
    assert left["status"] == "left"
    _empty, nobody = create_device("9")
    empty_seat = app.test_client()
    empty_seat.set_cookie(COOKIE, nobody)
    refused = empty_seat.post(f"/tablet/meetings/{meeting.id}/check-in", json={})
    assert refused.status_code == 403
    anonymous = app.test_client().post(f"/tablet/meetings/{meeting.id}/check-in", json={})
    assert anonymous.status_code == 302


# ---- personal codes scanned at the door ---------------------------------------------------------


def qr_of(text: str) -> str:
    """Return the inline SVG QR code of ``text`` as the pages draw it."""
    return segno.make(text, error="m").svg_inline(
        scale=8, border=4, dark="#000", light="#fff", svgclass="qr", omitsize=True
    )


def personal_code(http, meeting_id) -> str:
    page = http.get(f"/meetings/{meeting_id}/my-qr")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    html = page.get_data(as_text=True)
    code = re.search(r'data-code="([^"]+)"', html).group(1)
    assert qr_of(code) in html and "style=" not in html  # the QR code holds the code
    return code


def scan(http, meeting, code):
    return http.post(board_url(meeting, "/scan"), json={"code": code})


def test_a_scanned_personal_code_checks_the_invitee_in_once(app, meeting, desk):
    code = personal_code(signed_in(app, "daibieu1"), meeting.id)
    first = scan(desk, meeting, f"  {code}\n")  # scanners may add a newline
    assert first.status_code == 200
    assert part(first.get_json(), "already", "message") == {
        "already": False,
        "message": "Checked in: Daibieu1.",
    }
    record = record_of(meeting, "daibieu1")
    assert record.method == CheckInMethod.QR and record.status == "present"
    again = scan(desk, meeting, code).get_json()
    hhmm = again["person"]["checked_in_at"]
    assert again["ok"] and again["already"] is True and re.fullmatch(r"\d\d:\d\d", hhmm)
    assert again["message"] == f"Daibieu1 already checked in at {hhmm}."
    assert state_of(desk, meeting)["quorum"]["present"] == 1


def test_a_tampered_foreign_or_expired_code_is_refused(app, meeting, desk):
    participant = signed_in(app, "daibieu1")
    code = personal_code(participant, meeting.id)
    tampered = code[:-3] + ("AAA" if not code.endswith("AAA") else "BBB")
    reply = scan(desk, meeting, tampered)
    assert reply.status_code == 400 and "not valid" in reply.get_json()["error"]
    assert scan(desk, meeting, "").status_code == 400

    second = other_meeting("thuky", "daibieu1")
    foreign = scan(desk, meeting, personal_code(participant, second.id))
    assert foreign.status_code == 400 and "another meeting" in foreign.get_json()["error"]

    meeting.starts_at -= timedelta(days=3)
    meeting.ends_at -= timedelta(days=3)
    db.session.commit()
    stale = personal_code(participant, meeting.id)  # made for a day that is over
    expired = scan(desk, meeting, stale)
    assert expired.status_code == 400 and "expired" in expired.get_json()["error"]
    assert record_of(meeting, "daibieu1") is None


def test_only_invitees_have_a_personal_code(app, meeting):
    assert signed_in(app, "phogiamdoc").get(f"/meetings/{meeting.id}/my-qr").status_code == 403
    anonymous = app.test_client().get(f"/meetings/{meeting.id}/my-qr")
    assert anonymous.status_code == 302


def test_a_deputy_with_an_account_has_the_code_of_the_invitation_they_attend(app, meeting, desk):
    roll_call(
        desk,
        meeting,
        "daibieu4",
        action="delegate",
        deputy_id=actor("phogiamdoc").id,
        reason="Đi công tác",
    )
    code = personal_code(signed_in(app, "phogiamdoc"), meeting.id)
    answer = scan(desk, meeting, code).get_json()
    assert answer["message"] == "Checked in: Phó Giám đốc Sở (deputy of Daibieu4)."
    assert answer["person"]["status"] == "delegated" and answer["person"]["present"] is True


# ---- the room's code: the invitee scans it -----------------------------------------------------


def door_path(desk, meeting) -> str:
    page = desk.get(board_url(meeting, "/room-qr"))
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    html = page.get_data(as_text=True)
    url = re.search(r'data-url="([^"]+)"', html).group(1)
    assert qr_of(url) in html and "style=" not in html
    assert url.startswith("http://127.0.0.1:5000/meetings/")  # PUBLIC_URL's default
    return url.removeprefix("http://127.0.0.1:5000")


def test_the_room_code_signs_the_invitee_in_and_brings_them_back(app, meeting, desk):
    path = door_path(desk, meeting)
    phone = app.test_client()
    phone.get("/lang/en")
    to_login = phone.get(path)
    assert to_login.status_code == 302 and "/login?next=" in to_login.headers["Location"]
    login = phone.get(to_login.headers["Location"]).get_data(as_text=True)
    assert f'name="next" value="{path}"' in login
    back = phone.post("/login", data={"username": "daibieu3", "password": PASSWORD, "next": path})
    assert back.status_code == 302 and back.headers["Location"] == path
    page = phone.get(path).get_data(as_text=True)
    assert "Check in to Họp giao ban" in page and '<form method="post">' in page
    done = phone.post(path)
    assert done.status_code == 302 and done.headers["Location"] == path
    assert "You checked in at" in phone.get(path).get_data(as_text=True)
    record = record_of(meeting, "daibieu3")
    assert record.status == "present" and record.method == CheckInMethod.QR


def test_a_forged_or_foreign_room_code_and_an_outsider_are_refused(app, meeting, desk):
    path = door_path(desk, meeting)
    participant = signed_in(app, "daibieu1")
    forged = participant.get(path[:-4] + "abcd")
    assert forged.status_code == 400 and "not valid" in forged.get_data(as_text=True)
    assert participant.post(path[:-4] + "abcd").status_code == 302  # refused, back with a message
    second = other_meeting("thuky", "daibieu1")
    foreign = participant.get(path.replace(f"/meetings/{meeting.id}/", f"/meetings/{second.id}/"))
    assert foreign.status_code == 400 and "another meeting" in foreign.get_data(as_text=True)
    assert "Họp chuyên đề" not in foreign.get_data(as_text=True)
    outsider = signed_in(app, "phogiamdoc")
    page = outsider.get(path)
    assert page.status_code == 403 and "not on the list" in page.get_data(as_text=True)
    assert outsider.post(path).status_code == 403
    assert db.session.scalars(select(Attendance)).all() == []


# ---- the meeting form's quorum rule -----------------------------------------------------------


def test_the_meeting_form_sets_the_quorum_percentage(meeting, desk):
    form = {
        "title": meeting.title,
        "room_id": str(meeting.room_id),
        "starts_at": "2026-12-01T08:00",
        "ends_at": "2026-12-01T10:00",
        "chair_id": str(meeting.chair_id),
        "quorum_percent": "65",
    }
    edit = desk.get(f"/meetings/{meeting.id}/edit").get_data(as_text=True)
    assert 'name="quorum_percent"' in edit and 'value="50"' in edit
    assert desk.post(f"/meetings/{meeting.id}/edit", data=form).status_code == 302
    db.session.expire_all()
    assert meeting.quorum_percent == 65
    refused = desk.post(f"/meetings/{meeting.id}/edit", data=form | {"quorum_percent": "100"})
    assert refused.status_code == 400 and "from 0 to 99" in refused.get_data(as_text=True)
    typo = desk.post(f"/meetings/{meeting.id}/edit", data=form | {"quorum_percent": "half"})
    assert typo.status_code == 400 and "whole number" in typo.get_data(as_text=True)
    kept = {k: v for k, v in form.items() if k != "quorum_percent"}
    assert desk.post(f"/meetings/{meeting.id}/edit", data=kept).status_code == 302
    db.session.expire_all()
    assert meeting.quorum_percent == 65
    assert state_of(desk, meeting)["quorum"]["required"] == 4  # ⌊5 × 65 %⌋ + 1

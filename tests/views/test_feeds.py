"""Calendar feeds over HTTP: a person makes their address and a calendar app reads it (ETag,
304, a change noticed), a new address or revocation shuts the old one, admins make rooms'."""

from __future__ import annotations

import re
from datetime import timedelta

from icalendar import Calendar
from sqlalchemy import select

from meeting_server.extensions import db
from meeting_server.models import CalendarFeed, Meeting, User
from meeting_server.services import calendar_feeds as feeds
from meeting_server.services.meetings import update_meeting
from meeting_server.services.users import update_user
from tests.support.clients import signed_in
from tests.support.people import actor

ADDRESS = re.compile(r'value="(http://127\.0\.0\.1:5000(/feeds/[A-Za-z0-9_-]{43}\.ics))"')


def make_address(http, url: str = "/my/calendar") -> str:
    """Press "Make a calendar address" and return the path of the address shown once."""
    page = http.post(url)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    full, path = ADDRESS.search(page.text).groups()
    assert f'href="webcal://127.0.0.1:5000{path}"' in page.text
    return path


def summaries(answer) -> list[str]:
    assert answer.status_code == 200
    return [str(e["SUMMARY"]) for e in Calendar.from_ical(answer.data).walk("VEVENT")]


def move(meeting_id: int, by: timedelta) -> None:
    """The secretary moves the meeting to another time."""
    meeting = db.session.get(Meeting, meeting_id)
    start = meeting.starts_at + by
    update_meeting(
        actor(),
        meeting,
        title=meeting.title,
        room=meeting.room,
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        chair=meeting.chair,
    )
    db.session.commit()


def test_a_person_makes_their_address_and_a_calendar_app_reads_it(app, published_meeting):
    http = signed_in(app, "daibieu1")
    assert "There is no calendar address yet." in http.get("/my/calendar").text
    path = make_address(http)

    answer = app.test_client().get(path)  # no sign-in: the token is the credential

    assert answer.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert answer.headers["Cache-Control"] == "private, max-age=300"
    assert answer.headers["ETag"].startswith('"') and answer.headers["Last-Modified"]
    assert summaries(answer) == ["Họp giao ban"]
    assert b"\r\nNAME:Meetings of Daibieu1\r\n" in app.test_client().get(path + "?lang=en").data
    page = http.get("/my/calendar").text
    assert "Last read by a calendar app at" in page and path not in page  # shown only once


def test_an_unchanged_feed_answers_304_and_a_moved_meeting_a_new_version(app, published_meeting):
    path = make_address(signed_in(app, "daibieu1"))
    reader = app.test_client()
    first = reader.get(path)
    etag = first.headers["ETag"]

    again = reader.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b"" and again.headers["ETag"] == etag
    assert reader.get(path, headers={"If-None-Match": "W/" + etag}).status_code == 304

    move(published_meeting.id, timedelta(days=1))
    changed = reader.get(path, headers={"If-None-Match": etag})

    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    before = Calendar.from_ical(first.data).walk("VEVENT")[0]
    after = Calendar.from_ical(changed.data).walk("VEVENT")[0]
    assert after.decoded("SEQUENCE") > before.decoded("SEQUENCE")
    assert after.decoded("DTSTART") == before.decoded("DTSTART") + timedelta(days=1)
    assert reader.get(path, headers={"If-None-Match": changed.headers["ETag"]}).status_code == 304


def test_a_new_address_or_turning_it_off_shuts_the_old_one(app, published_meeting):
    http = signed_in(app, "daibieu1")
    reader = app.test_client()
    old = make_address(http)
    new = make_address(http)
    nobodys = "/feeds/" + "A" * 43 + ".ics"
    unknown = reader.get(nobodys)

    gone = reader.get(old)
    assert gone.status_code == 404 and unknown.status_code == 404
    assert gone.text.replace(old, nobodys) == unknown.text  # revoked and unknown look alike
    assert reader.get(new).status_code == 200

    turned_off = http.post("/my/calendar/revoke")
    assert turned_off.status_code == 302
    assert reader.get(new).status_code == 404
    assert "There is no calendar address yet." in http.get("/my/calendar").text
    assert http.post("/my/calendar/revoke").status_code == 404  # nothing left to turn off


def test_a_deactivated_persons_address_answers_404(app, published_meeting):
    path = make_address(signed_in(app, "daibieu1"))
    person = actor("daibieu1")
    update_user(
        actor(),
        person,
        full_name=person.full_name,
        position=person.position,
        unit=person.unit,
        roles=person.roles,
        active=False,
    )
    db.session.commit()
    assert app.test_client().get(path).status_code == 404


def test_an_admin_makes_and_turns_off_a_rooms_address(app, published_meeting, admin):
    http = signed_in(app, "admin")
    room_id = published_meeting.room_id
    assert f'href="/admin/rooms/{room_id}/calendar"' in http.get("/admin/rooms").text
    path = make_address(http, f"/admin/rooms/{room_id}/calendar")

    assert summaries(app.test_client().get(path)) == ["Họp giao ban"]
    feed = db.session.scalars(select(CalendarFeed)).one()
    assert feed.room_id == room_id and feed.created_by_id == admin.id

    assert http.post(f"/admin/rooms/{room_id}/calendar/revoke").status_code == 302
    assert app.test_client().get(path).status_code == 404
    secretary = signed_in(app, "thuky")
    assert secretary.get(f"/admin/rooms/{room_id}/calendar").status_code == 403
    assert secretary.post(f"/admin/rooms/{room_id}/calendar").status_code == 403
    assert db.session.scalars(select(CalendarFeed)).one().revoked_at is not None


def test_the_feed_is_rate_limited_per_address(make_app, published_meeting):
    app = make_app(FEED_LIMIT_PER_TOKEN="2 per minute")
    made = [feeds.create_person_feed(actor(n), actor(n)).token for n in ("daibieu1", "daibieu2")]
    db.session.commit()
    reader = app.test_client()
    first, second = (f"/feeds/{token}.ics" for token in made)

    assert [reader.get(first).status_code for _ in range(3)] == [200, 200, 429]
    assert reader.get(second).status_code == 200  # another address is counted apart


def test_last_used_is_written_at_most_once_a_minute(app, published_meeting):
    path = make_address(signed_in(app, "daibieu1"))
    reader = app.test_client()
    reader.get(path)
    feed = db.session.scalars(select(CalendarFeed)).one()
    first = feed.last_used_at
    reader.get(path)
    db.session.refresh(feed)
    assert first is not None and feed.last_used_at == first
    assert db.session.get(User, feed.user_id).username == "daibieu1"

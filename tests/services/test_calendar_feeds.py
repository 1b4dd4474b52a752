"""Calendar feeds: the right meetings in a valid calendar, nothing confidential, a change that
calendar apps notice, and addresses that stop working when revoked or replaced."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import select, update

from meeting_server.extensions import db
from meeting_server.models import AuditEvent, Meeting, Room, User, utcnow
from meeting_server.services import calendar_feeds as feeds
from meeting_server.services.agenda import add_item
from meeting_server.services.errors import NotAllowed
from meeting_server.services.meetings import create_meeting, publish_meeting, update_meeting
from meeting_server.services.participants import invite_users
from meeting_server.services.rooms import create_room
from meeting_server.services.users import update_user
from tests.support.people import actor


def hours(n: float) -> datetime:
    return datetime.now(UTC).replace(microsecond=0) + timedelta(hours=n)


def meeting_at(
    start: datetime,
    title: str,
    *,
    room: Room | None = None,
    invite=("daibieu1",),
    publish: bool = True,
) -> Meeting:
    """A meeting of two hours from ``start`` (published unless told) with ``invite`` invited."""
    desk = actor()
    place = room or db.session.scalars(select(Room).order_by(Room.id)).first()
    meeting = create_meeting(
        desk, title=title, room=place, starts_at=start, ends_at=start + timedelta(hours=2)
    )
    invite_users(desk, meeting, [actor(name) for name in invite])
    add_item(desk, meeting, title="Báo cáo")
    if publish:
        publish_meeting(desk, meeting)
    db.session.flush()
    return meeting


def events_of(feed) -> dict[str, dict]:
    """The feed's events by SUMMARY, parsed back with icalendar."""
    calendar = Calendar.from_ical(feeds.read_feed(feed).body)
    return {
        str(event["SUMMARY"]): {
            "uid": str(event["UID"]),
            "sequence": int(event.decoded("SEQUENCE")),
            "start": event.decoded("DTSTART"),
            "end": event.decoded("DTEND"),
            "location": str(event["LOCATION"]),
            "status": str(event["STATUS"]),
            "modified": event.decoded("LAST-MODIFIED"),
            "stamp": event.decoded("DTSTAMP"),
            "description": str(event["DESCRIPTION"]),
        }
        for event in calendar.walk("VEVENT")
    }


def test_a_person_feed_lists_the_published_meetings_they_are_invited_to(published_meeting):
    meeting_at(hours(-24 * 30), "Họp tháng trước")
    meeting_at(hours(-24 * 120), "Họp quá cũ")  # more than 90 days ago
    meeting_at(hours(24 * 400), "Họp năm sau nữa")  # more than a year ahead
    meeting_at(hours(72), "Họp chưa công bố", publish=False)
    meeting_at(hours(96), "Họp không mời", invite=("daibieu2",))
    feed = feeds.create_person_feed(actor("daibieu1"), actor("daibieu1")).feed

    events = events_of(feed)

    assert sorted(events) == ["Họp giao ban", "Họp tháng trước"]
    mine = events["Họp giao ban"]
    assert mine["uid"] == f"meeting-{published_meeting.id}@127.0.0.1"
    assert mine["start"] == published_meeting.starts_at
    assert mine["start"].utcoffset() == timedelta(0)  # written in UTC ("Z")
    assert mine["end"] == published_meeting.ends_at
    assert mine["location"] == "Phòng họp số 1, Tầng 3" and mine["status"] == "CONFIRMED"
    assert mine["modified"] == mine["stamp"]


def test_a_room_feed_lists_only_that_rooms_published_meetings(published_meeting):
    other = create_room(actor(), name="Phòng họp số 2", location="", seat_count=10)
    meeting_at(hours(30), "Họp phòng hai", room=other, invite=("daibieu2",))
    meeting_at(hours(50), "Họp nháp phòng hai", room=other, publish=False)
    feed = feeds.create_room_feed(actor(), other).feed

    events = events_of(feed)

    assert list(events) == ["Họp phòng hai"]
    assert events["Họp phòng hai"]["location"] == "Phòng họp số 2"
    assert list(events_of(feeds.create_room_feed(actor(), published_meeting.room).feed)) == [
        "Họp giao ban"
    ]


def test_the_calendar_is_a_subscription_with_a_name_and_a_refresh_interval(published_meeting):
    feed = feeds.create_person_feed(actor("daibieu1"), actor("daibieu1")).feed
    text = feeds.read_feed(feed).body.decode()

    calendar = Calendar.from_ical(text)
    assert "METHOD" not in calendar  # a subscribed feed, not an invitation (RFC 5545 3.7.2)
    assert str(calendar["VERSION"]) == "2.0" and calendar["PRODID"]
    assert "NAME:Meetings of Daibieu1\r\n" in text and "X-WR-CALNAME:Meetings of Daibieu1" in text
    assert "REFRESH-INTERVAL;VALUE=DURATION:PT15M\r\n" in text
    assert "X-PUBLISHED-TTL:PT15M\r\n" in text
    assert f"DTSTART:{published_meeting.starts_at:%Y%m%dT%H%M%S}Z\r\n" in text  # UTC, no TZID
    link = f"http://127.0.0.1:5000/meetings/{published_meeting.id}"
    assert f"URL:{link}\r\n" in text
    (event,) = calendar.walk("VEVENT")
    assert str(event["DESCRIPTION"]) == f"Chair: Trần Văn Minh\nOpen the meeting: {link}"


def test_no_agenda_item_and_no_description_ever_appears(published_meeting):
    desk = actor()
    add_item(desk, published_meeting, title="Nhân sự bí mật", confidential=True)
    published_meeting.description = "Ghi chú nội bộ về kỷ luật"
    db.session.flush()
    for feed in (
        feeds.create_person_feed(actor("chutich"), actor("chutich")).feed,
        feeds.create_room_feed(desk, published_meeting.room).feed,
    ):
        text = Calendar.from_ical(feeds.read_feed(feed).body).to_ical().decode()
        assert "Họp giao ban" in text
        for hidden in ("Nhân sự bí mật", "Báo cáo", "kỷ luật", "Daibieu2"):
            assert hidden not in text


def test_moving_a_meeting_raises_its_sequence_and_last_modified(published_meeting):
    feed = feeds.create_person_feed(actor("daibieu1"), actor("daibieu1")).feed
    an_hour_ago = utcnow() - timedelta(hours=1)  # the meeting was last changed a while ago
    db.session.execute(
        update(Meeting).where(Meeting.id == published_meeting.id).values(updated_at=an_hour_ago)
    )
    db.session.expire(published_meeting)
    before = events_of(feed)["Họp giao ban"]
    first = feeds.read_feed(feed)

    moved = published_meeting.starts_at + timedelta(days=1)
    update_meeting(
        actor(),
        published_meeting,
        title="Họp giao ban",
        room=published_meeting.room,
        starts_at=moved,
        ends_at=moved + timedelta(hours=2),
        chair=published_meeting.chair,
    )
    db.session.flush()
    db.session.expire(published_meeting)
    after = events_of(feed)["Họp giao ban"]
    second = feeds.read_feed(feed)

    assert after["uid"] == before["uid"] and after["start"] == moved
    assert after["sequence"] > before["sequence"]
    assert after["modified"] > before["modified"]
    assert second.etag != first.etag and second.last_modified > first.last_modified


def test_a_new_title_room_or_chair_raises_the_sequence_and_a_room_feed_follows_the_move(
    published_meeting,
):
    meeting = published_meeting
    other = create_room(actor(), name="Phòng họp số 2", location="Tầng 5", seat_count=10)
    mine = feeds.create_person_feed(actor("daibieu1"), actor("daibieu1")).feed
    first_room = feeds.create_room_feed(actor(), meeting.room).feed
    second_room = feeds.create_room_feed(actor(), other).feed
    changes = [
        {"title": "Họp giao ban tuần"},
        {"room": other},
        {"chair": actor("phogiamdoc")},
    ]
    seen = [events_of(mine)["Họp giao ban"]["sequence"]]
    for change in changes:
        fields = {"title": meeting.title, "room": meeting.room, "chair": meeting.chair}
        update_meeting(
            actor(),
            meeting,
            starts_at=meeting.starts_at,
            ends_at=meeting.ends_at,
            **{**fields, **change},
        )
        db.session.flush()
        seen.append(events_of(mine)["Họp giao ban tuần"]["sequence"])

    assert seen == sorted(set(seen)), seen  # raised by each change
    assert events_of(mine)["Họp giao ban tuần"]["location"] == "Phòng họp số 2, Tầng 5"
    assert list(events_of(second_room)) == ["Họp giao ban tuần"]
    assert events_of(first_room) == {}  # it left the first room's feed
    assert events_of(mine)["Họp giao ban tuần"]["description"].startswith(
        "Chair: Phó Giám đốc Sở\n"
    )


def test_a_new_address_revokes_the_old_one(published_meeting):
    me = actor("daibieu1")
    old = feeds.create_person_feed(me, me)
    new = feeds.create_person_feed(me, me)

    assert feeds.feed_for_token(old.token) is None
    assert feeds.feed_for_token(new.token) is new.feed
    assert feeds.person_feed(me) is new.feed and old.feed.revoked_at is not None
    assert old.feed.token_hash != new.feed.token_hash
    assert len(new.token) == 43 and old.feed.token_hash == feeds.token_hash(old.token)
    made = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "calendar_feed.create")
    ).all()
    assert [json.loads(e.details)["replaced"] for e in made] == [[], [old.feed.id]]


def test_a_revoked_unknown_or_deactivated_persons_address_opens_nothing(published_meeting):
    me = actor("daibieu1")
    made = feeds.create_person_feed(me, me)
    assert feeds.feed_for_token("x" * 43) is None
    assert feeds.feed_for_token("x" * 5000) is None
    assert feeds.feed_for_token("") is None

    update_user(actor(), me, **_fields(me), active=False)
    assert feeds.feed_for_token(made.token) is None
    update_user(actor(), me, **_fields(me), active=True)
    assert feeds.feed_for_token(made.token) is made.feed

    feeds.revoke_feed(me, made.feed)
    assert feeds.feed_for_token(made.token) is None and feeds.person_feed(me) is None
    with pytest.raises(NotAllowed, match="already turned off"):
        feeds.revoke_feed(me, made.feed)
    revoked = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "calendar_feed.revoke")
    ).one()
    assert revoked.object_id == made.feed.id and revoked.actor_id == me.id


def test_reading_notes_the_use_at_most_once_a_minute(published_meeting):
    feed = feeds.create_room_feed(actor(), published_meeting.room).feed
    assert feed.last_used_at is None
    feeds.read_feed(feed)
    first = feed.last_used_at
    feeds.read_feed(feed)
    assert first is not None and feed.last_used_at == first
    feed.last_used_at = first - feeds.USED_EVERY
    feeds.read_feed(feed)
    assert feed.last_used_at > first


def _fields(user: User) -> dict:
    return {
        "full_name": user.full_name,
        "unit": user.unit,
        "position": user.position,
        "roles": user.roles,
    }
